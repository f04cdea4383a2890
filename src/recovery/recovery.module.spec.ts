import { Test } from '@nestjs/testing';
import { ClockModule } from '../clock/clock.module';
import { AppConfig } from '../config/app-config';
import { BacklogSource, DrainSender, DrainSendResult } from './drain-ports';
import { BullmqDrainQueue } from './bullmq-drain-queue.adapter';
import { DrainQueue } from './drain-queue.port';
import { InProcessDrainQueue } from './in-process-drain-queue.adapter';
import { PacedDrain } from './paced-drain';
import { createDrainQueue, RecoveryModule } from './recovery.module';

describe('RecoveryModule', () => {
  it('drains in process without REDIS_URL and through BullMQ with it', async () => {
    const local = createDrainQueue(AppConfig.fromEnv({}));
    expect(local).toBeInstanceOf(InProcessDrainQueue);
    const shared = createDrainQueue(AppConfig.fromEnv({ REDIS_URL: 'redis://127.0.0.1:6379', DRAIN_LOCK_DURATION_MS: '1500.5' }));
    expect(shared).toBeInstanceOf(BullmqDrainQueue);
    await Promise.all([local.close(), shared.close()]);
  });

  it('provides a PacedDrain on the app clock and real timers, and the drain queue', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ClockModule, RecoveryModule] })
      .useMocker((token) => (token === AppConfig ? AppConfig.fromEnv({}) : undefined))
      .compile();
    const app = moduleRef.createNestApplication();
    await app.init();
    const starts: number[] = [];
    const pending = [{ id: 'a' }, { id: 'b' }];
    const source = new (class extends BacklogSource {
      async next(limit: number) {
        return pending.splice(0, limit);
      }
    })();
    const sender = new (class extends DrainSender {
      async send(): Promise<DrainSendResult> {
        starts.push(Date.now());
        return { outcome: 'delivered', httpStatus: 200 };
      }
    })();
    const result = await app.get(PacedDrain).run(source, sender, { ratePerSecond: 50 });
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(19);
    expect(result).toEqual({ state: 'drained', sent: 2, delivered: 2, failed: 0, skipped: 0 });
    expect(app.get(DrainQueue)).toBeInstanceOf(InProcessDrainQueue);
    await app.close();
    await expect(app.get(DrainQueue).enqueue({ kind: 'incident', id: 'x' })).rejects.toThrow(/closed/);
  });
});
