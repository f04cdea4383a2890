import { Global, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Coordination } from './coordination.port';
import { MemoryCoordination } from './memory-coordination.adapter';
import { RedisCoordination } from './redis-coordination.adapter';

export async function createCoordination(config: AppConfig): Promise<Coordination> {
  const logger = new Logger('Coordination');
  if (!config.redisUrl) {
    logger.warn('single-instance mode: coordination state is in memory; set REDIS_URL to run more than one instance');
    return new MemoryCoordination();
  }
  const redis = new RedisCoordination(config.redisUrl, { prefix: config.redisKeyPrefix });
  // Waiting for the first connection lets the first cycle find Redis ready; a Redis that is down
  // must not stop the boot (deliveries are still recorded), so the outcome is only logged.
  if (!(await redis.waitUntilReady())) logger.warn('Redis is not reachable yet; healing actions pause until it answers');
  return redis;
}

@Global()
@Module({
  providers: [{ provide: Coordination, inject: [AppConfig], useFactory: createCoordination }],
  exports: [Coordination],
})
export class CoordinationModule implements OnApplicationShutdown {
  constructor(private readonly coordination: Coordination) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.coordination instanceof RedisCoordination) await this.coordination.close();
  }
}
