import { ManualClock } from '../clock/clock';
import { MemoryControlsStore } from '../controls/memory-controls-store.adapter';
import { MemoryDeliveryStore } from '../deliveries/memory-delivery-store.adapter';
import { MemoryMaintenanceStore } from '../maintenance/memory-maintenance-store.adapter';
import { MemoryReplayLedger } from '../replay/memory-replay-ledger.adapter';
import { answerWithStatus, RecordingReplayer } from '../replay/recording-replayer.adapter';
import { TargetGuard } from '../replay/target-guard';
import { DEFAULT_RULES } from '../rules/rules.defaults';
import { StaticRulesSource } from '../rules/rules.source';
import { DrainJobRouter } from './drain-job-router';
import { InProcessDrainQueue } from './in-process-drain-queue.adapter';
import { LedgerDrainSenderFactory } from './ledger-drain-sender';
import { MemoryBacklogReader } from './memory-backlog-reader.adapter';
import { MemoryRecoveryStore } from './memory-recovery-store.adapter';
import { PacedDrain } from './paced-drain';
import { RecoveryRunner } from './recovery-runner.service';
import { RecoverySafety } from './recovery-safety.service';
import { ManualClockSleeper } from './sleeper.port';
import { MemoryCoordination } from '../coordination/memory-coordination.adapter';
import { MemoryThrottleRecordStore } from '../throttles/memory-throttle-record-store.adapter';
import { TenantThrottles } from '../throttles/tenant-throttles.service';

describe('RecoveryRunner (memory adapters, manual clock)', () => {
  const target = 'https://hooks.example.com/in';
  let clock: ManualClock;
  let deliveries: MemoryDeliveryStore;
  let replayer: RecordingReplayer;
  let store: MemoryRecoveryStore;
  let controls: MemoryControlsStore;
  let maintenance: MemoryMaintenanceStore;
  let runner: RecoveryRunner;
  let sentAt: number[];
  let throttles: TenantThrottles;
  const queue = new InProcessDrainQueue();
  afterAll(() => queue.close());

  beforeEach(async () => {
    clock = new ManualClock(new Date('2026-03-01T12:00:00.000Z'));
    deliveries = new MemoryDeliveryStore(clock);
    const ledger = new MemoryReplayLedger(deliveries);
    sentAt = [];
    replayer = new RecordingReplayer((req) => (sentAt.push(clock.now().getTime()), answerWithStatus(200)(req)));
    store = new MemoryRecoveryStore();
    controls = new MemoryControlsStore();
    maintenance = new MemoryMaintenanceStore();
    const rules = new StaticRulesSource(DEFAULT_RULES);
    const sleeper = new ManualClockSleeper(clock);
    throttles = new TenantThrottles(new MemoryCoordination(), new MemoryThrottleRecordStore(), clock);
    runner = new RecoveryRunner(
      new DrainJobRouter(queue),
      store,
      new MemoryBacklogReader(deliveries, clock),
      new PacedDrain(clock, sleeper),
      new LedgerDrainSenderFactory(ledger, replayer, new TargetGuard({ allowPrivateTargets: true }), clock),
      new RecoverySafety(controls, maintenance, rules),
      rules,
      clock,
      sleeper,
      throttles,
    );
    const items = Array.from({ length: 8 }, (_, n) => ({
      id: `d${n}`,
      tenant_id: 'acme',
      target,
      status: 'failed' as const,
      http_status: 503,
      error: 'HTTP 503',
      created_at: new Date(clock.now().getTime() - 60_000 + n),
    }));
    await deliveries.upsertBatch(items, 'dispatcher');
  });

  const recovery = () =>
    store.create(
      {
        tenantId: 'acme',
        endpoint: null,
        since: new Date(clock.now().getTime() - 3_600_000),
        until: null,
        statuses: ['failed'],
        triageLabels: null,
        total: 8,
        createdBy: 'alice',
      },
      clock.now(),
    );
  const signal = new AbortController().signal;

  it('sends the backlog at the default pacing (20/s) and completes', async () => {
    const { id } = await recovery();
    const t0 = clock.now().getTime();
    await runner.run({ kind: 'recovery', id }, signal);
    expect(await store.get(id)).toMatchObject({ state: 'completed', sent: 8, delivered: 8, remaining: 0, started_at: new Date(t0) });
    // 8 sends evenly spaced at 20/s take 350 ms from the first to the last start.
    expect(sentAt).toHaveLength(8);
    expect(Math.max(...sentAt) - t0).toBeGreaterThanOrEqual(350);
  });

  it("runs a throttled tenant's recovery at drain_rate_per_second × the throttle factor", async () => {
    await throttles.apply({ tenantId: 'acme', factor: 0.25, durationMinutes: 30, reason: 'flood', actor: 'test', now: clock.now() });
    const { id } = await recovery();
    const t0 = clock.now().getTime();
    await runner.run({ kind: 'recovery', id }, signal);
    expect(await store.get(id)).toMatchObject({ state: 'completed', sent: 8, delivered: 8 });
    // 5/s instead of 20/s: 8 starts evenly spaced take 1400 ms, not 350.
    expect(Math.max(...sentAt) - t0).toBeGreaterThanOrEqual(1400);
  });

  it('waits while the endpoint is in maintenance: nothing goes out before the window ends', async () => {
    const until = new Date(clock.now().getTime() + 5_500);
    await maintenance.set(target, until, 'deploy', 'bob', clock.now());
    const { id } = await recovery();
    const reasons: Array<string | null> = [];
    const progress = store.progress.bind(store);
    store.progress = async (...args) => (reasons.push(args[2]), progress(...args));
    await runner.run({ kind: 'recovery', id }, signal);
    expect(sentAt[0]).toBeGreaterThanOrEqual(until.getTime());
    expect(reasons[0]).toBe(`paused: ${target} is in maintenance until ${until.toISOString()}`);
    expect(reasons.at(-1)).toBeNull();
    expect(await store.get(id)).toMatchObject({ state: 'completed', sent: 8, paused_reason: null });
  });

  it('stops at the kill switch and says why', async () => {
    await controls.set({ autoheal_enabled: false, reason: 'freeze' }, 'admin', clock.now());
    const { id } = await recovery();
    await runner.run({ kind: 'recovery', id }, signal);
    expect(await store.get(id)).toMatchObject({
      state: 'failed',
      sent: 0,
      remaining: 8,
      error: 'stopped: auto-healing is disabled (kill switch): freeze',
    });
    expect(replayer.requests).toHaveLength(0);
  });

  it('gives up once the endpoint keeps failing, saying how', async () => {
    replayer.respondWith(answerWithStatus(503));
    const { id } = await recovery();
    await runner.run({ kind: 'recovery', id }, signal);
    expect(await store.get(id)).toMatchObject({
      state: 'failed',
      sent: 5,
      failed: 5,
      remaining: 3,
      error: 'stopped: 5 sends in a row failed (last: HTTP 503); the endpoint is still failing, try again once it is back',
    });
  });

  it('does nothing for a cancelled or unknown recovery', async () => {
    const { id } = await recovery();
    await store.cancel(id, 'bob', clock.now());
    await runner.run({ kind: 'recovery', id }, signal);
    await runner.run({ kind: 'recovery', id: '00000000-0000-4000-8000-000000000000' }, signal);
    expect(replayer.requests).toHaveLength(0);
    expect((await store.get(id))?.state).toBe('cancelled');
  });
});
