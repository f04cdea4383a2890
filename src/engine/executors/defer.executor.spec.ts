import { Test, TestingModule } from '@nestjs/testing';
import { buildIncident } from '../../anomalies/scripted-anomaly-detector.adapter';
import { AuditLog } from '../../audit/audit-log.port';
import { MemoryAuditLog } from '../../audit/memory-audit-log.adapter';
import { ManualClock } from '../../clock/clock';
import { endpointKey } from '../../common/endpoint-key';
import { MemoryCoordination } from '../../coordination/memory-coordination.adapter';
import { DeferralStore } from '../../deferrals/deferral-store.port';
import { MemoryDeferralStore } from '../../deferrals/memory-deferral-store.adapter';
import { Notifier } from '../../escalation/notifier.port';
import { RecordingNotifier } from '../../escalation/recording-notifier.adapter';
import { effectiveLimits } from '../../rules/effective-limits';
import { DEFAULT_RULES } from '../../rules/rules.defaults';
import type { AutohealRules } from '../../rules/rules.types';
import { validateRules } from '../../rules/rules.validation';
import { CycleState } from '../cycle-state';
import { DeferExecutor } from './defer.executor';
import type { ExecutionOutcome, ExecutionPlan } from './strategy-executor';

const START = new Date('2026-11-25T12:00:00Z');
const TENANT = 'tenant-1';
const SILENT_TENANT = 'tenant-qa';
const ENDPOINT = 'https://shop.example.com/hook';
const DELAY_MS = DEFAULT_RULES.strategy_limits.DEFER_AND_MONITOR.recheck_delay_seconds! * 1000;

describe('DeferExecutor', () => {
  let clock: ManualClock;
  let deferrals: MemoryDeferralStore;
  let notifier: RecordingNotifier;
  let audit: MemoryAuditLog;
  let moduleRef: TestingModule;
  let executor: DeferExecutor;

  beforeEach(async () => {
    clock = new ManualClock(START);
    deferrals = new MemoryDeferralStore();
    notifier = new RecordingNotifier();
    audit = new MemoryAuditLog(clock);
    moduleRef = await Test.createTestingModule({
      providers: [
        DeferExecutor,
        { provide: DeferralStore, useValue: deferrals },
        { provide: Notifier, useValue: notifier },
        { provide: AuditLog, useValue: audit },
      ],
    }).compile();
    executor = moduleRef.get(DeferExecutor);
  });

  afterEach(() => moduleRef.close());

  /** A plan for the cycle at the clock's time, with the deferral the engine would have read for it. */
  async function planFor(options: { dryRun?: boolean; tenant?: string; rules?: AutohealRules } = {}): Promise<ExecutionPlan> {
    const { dryRun = false, tenant = TENANT, rules = DEFAULT_RULES } = options;
    const now = clock.now();
    return {
      cycleId: `cycle-${now.toISOString()}`,
      now,
      dryRun,
      rules,
      incident: buildIncident({ tenant_id: tenant, endpoint: ENDPOINT, kind: 'traffic_spike', failures: 0, triage_distribution: {} }),
      strategy: 'DEFER_AND_MONITOR',
      probability: 0.6,
      rationale: 'No clear failure pattern yet',
      limits: effectiveLimits(rules, 'DEFER_AND_MONITOR', tenant),
      replayCandidates: [],
      deferral: (await deferrals.active()).get(endpointKey(tenant, ENDPOINT)) ?? null,
      state: await CycleState.open(new MemoryCoordination(() => now.getTime()), dryRun, now),
    };
  }

  /** One execution per cycle, `DELAY_MS` apart, as the scheduler's rechecks would run them. */
  async function deferTimes(times: number, options: Parameters<typeof planFor>[0] = {}): Promise<ExecutionOutcome[]> {
    const outcomes: ExecutionOutcome[] = [];
    for (let i = 0; i < times; i++) {
      if (i > 0) clock.advance(DELAY_MS);
      outcomes.push(await executor.execute(await planFor(options)));
    }
    return outcomes;
  }

  const taken = (outcome: ExecutionOutcome) => {
    if (!('taken' in outcome)) throw new Error(`expected an action, got ${JSON.stringify(outcome)}`);
    return outcome.taken;
  };
  const deferral = async (tenant = TENANT) => (await deferrals.active()).get(endpointKey(tenant, ENDPOINT));

  it('a dry run says it would defer, counting the deferral it would add, and records, alerts and audits nothing', async () => {
    await deferTimes(1);
    notifier.clear();
    const before = await deferral();

    const outcome = await executor.execute(await planFor({ dryRun: true }));

    expect(outcome).toEqual({
      taken: expect.objectContaining({
        strategy: 'DEFER_AND_MONITOR',
        executed: false,
        dry_run: true,
        would_defer: true,
        recheck_after_seconds: 120,
        deferrals: 2,
        message: `Deferred ${ENDPOINT} for 120s`,
      }),
    });
    expect(await deferral()).toEqual(before);
    expect(notifier.sent).toEqual([]);
    expect((await audit.query({ limit: 100 })).map((e) => e.action)).toEqual(['autoheal_defer']);
  });

  it('records the deferral with its recheck time and audits it', async () => {
    const [outcome] = await deferTimes(1);

    expect(outcome).toEqual({
      taken: expect.objectContaining({
        executed: true,
        recheck_after_seconds: 120,
        deferrals: 1,
        notified: false,
        message: `Deferred ${ENDPOINT} for 120s`,
      }),
    });
    expect(await deferral()).toMatchObject({
      deferrals: 1,
      first_deferred_at: START,
      recheck_at: new Date(START.getTime() + DELAY_MS),
      notified_at: null,
      status: 'active',
    });
    expect(await deferrals.nextRecheckAt()).toEqual(new Date(START.getTime() + DELAY_MS));
    expect(notifier.sent).toEqual([]);
    const [entry] = await audit.query({ limit: 100 });
    expect(entry).toMatchObject({
      operator_id: 'system:autoheal',
      action: 'autoheal_defer',
      resource_id: ENDPOINT,
      tenant_id: TENANT,
      meta: expect.objectContaining({ recheck_after_seconds: 120, deferrals: 1, notified: false }),
    });
  });

  it('alerts a person once, at alert_after_deferrals consecutive deferrals', async () => {
    const outcomes = await deferTimes(3);

    expect(outcomes.map((o) => [taken(o).deferrals, taken(o).notified])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
    expect(notifier.sent).toEqual([
      {
        title: `Auto-heal deferred ${ENDPOINT} 2 times`,
        text:
          `${ENDPOINT} (tenant ${TENANT}) still shows no clear pattern after 2 deferrals: ` +
          'No clear failure pattern yet. It will be escalated after 3.',
        severity: 'warning',
        tenant_id: TENANT,
        endpoint: ENDPOINT,
        // The incident's most common error, normalized: what a silence of SILENCE_DUPES matches.
        signature: 'connect econnrefused',
      },
    ]);
    expect(await deferral()).toMatchObject({ deferrals: 3, notified_at: new Date(START.getTime() + DELAY_MS) });
  });

  it('uses the configured delay and alert threshold', async () => {
    const rules = validateRules({ strategy_limits: { DEFER_AND_MONITOR: { recheck_delay_seconds: 30, alert_after_deferrals: 1 } } });

    const outcome = taken((await deferTimes(1, { rules }))[0]);

    expect(outcome).toEqual(expect.objectContaining({ recheck_after_seconds: 30, deferrals: 1, notified: true }));
    expect(await deferral()).toMatchObject({ recheck_at: new Date(START.getTime() + 30_000), notified_at: START });
    expect(notifier.sent.map((n) => n.title)).toEqual([`Auto-heal deferred ${ENDPOINT} 1 times`]);
  });

  it('retries a failed alert at the next deferral', async () => {
    await deferTimes(1);
    notifier.failWith = new Error('Slack answered 500');
    clock.advance(DELAY_MS);

    const failed = taken(await executor.execute(await planFor()));

    expect(failed).toEqual(expect.objectContaining({ executed: true, deferrals: 2, notified: false }));
    expect(await deferral()).toMatchObject({ deferrals: 2, notified_at: null });

    notifier.failWith = null;
    clock.advance(DELAY_MS);
    const retried = taken(await executor.execute(await planFor()));

    expect(retried).toEqual(expect.objectContaining({ deferrals: 3, notified: true }));
    expect(notifier.sent.map((n) => n.title)).toEqual([`Auto-heal deferred ${ENDPOINT} 3 times`]);
  });

  it('never alerts for a tenant that skips notifications', async () => {
    const outcomes = await deferTimes(3, { tenant: SILENT_TENANT });

    expect(outcomes.map((o) => taken(o).notified)).toEqual([false, false, false]);
    expect(notifier.sent).toEqual([]);
    expect(await deferral(SILENT_TENANT)).toMatchObject({ deferrals: 3, notified_at: null });
  });

  it('starts counting again after the run of deferrals was closed', async () => {
    await deferTimes(2);
    await deferrals.close(TENANT, ENDPOINT, 'cleared');
    notifier.clear();
    clock.advance(DELAY_MS);

    const outcome = taken(await executor.execute(await planFor()));

    expect(outcome).toEqual(expect.objectContaining({ deferrals: 1, notified: false }));
    expect(await deferral()).toMatchObject({ deferrals: 1, first_deferred_at: clock.now(), notified_at: null });
    expect(notifier.sent).toEqual([]);
  });
});
