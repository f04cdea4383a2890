import { Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { COORDINATION_NAMESPACE } from '../coordination/redis-coordination.adapter';
import { BullmqDrainQueue } from './bullmq-drain-queue.adapter';
import { DrainJobRouter } from './drain-job-router';
import { DrainQueue } from './drain-queue.port';
import { InProcessDrainQueue } from './in-process-drain-queue.adapter';
import { PacedDrain } from './paced-drain';
import { Sleeper, TimerSleeper } from './sleeper.port';

export function createDrainQueue(config: AppConfig): DrainQueue {
  if (!config.redisUrl) {
    new Logger('Recovery').log('drains run in this process; set REDIS_URL to share them between instances');
    return new InProcessDrainQueue();
  }
  return new BullmqDrainQueue({
    url: config.redisUrl,
    // Under the same namespace as the coordination keys, so one REDIS_KEY_PREFIX separates everything.
    prefix: `${COORDINATION_NAMESPACE}${config.redisKeyPrefix}bull`,
    lockDurationMs: config.recovery.drainLockDurationMs,
  });
}

@Module({
  providers: [
    { provide: DrainQueue, inject: [AppConfig], useFactory: createDrainQueue },
    { provide: Sleeper, useClass: TimerSleeper },
    PacedDrain,
    DrainJobRouter,
  ],
  exports: [DrainQueue, PacedDrain, DrainJobRouter, Sleeper],
})
export class RecoveryModule implements OnApplicationShutdown {
  constructor(private readonly drainQueue: DrainQueue) {}

  async onApplicationShutdown(): Promise<void> {
    await this.drainQueue.close();
  }
}
