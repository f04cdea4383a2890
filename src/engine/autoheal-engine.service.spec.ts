import { Global, Module } from '@nestjs/common';
import { Test, TestingModule, TestingModuleBuilder } from '@nestjs/testing';
import type { Incident } from '../anomalies/incident';
import { AnomalyDetector } from '../anomalies/anomaly-detector.port';
import { buildIncident, ScriptedAnomalyDetector } from '../anomalies/scripted-anomaly-detector.adapter';
import { AuditLog } from '../audit/audit-log.port';
import { MemoryAuditLog } from '../audit/memory-audit-log.adapter';
import { Clock, ManualClock } from '../clock/clock';
import { endpointKey } from '../common/endpoint-key';
import { AppConfig } from '../config/app-config';
import { ControlsStore } from '../controls/controls-store.port';
import { MemoryControlsStore } from '../controls/memory-controls-store.adapter';
import { Coordination } from '../coordination/coordination.port';
import { MemoryCoordination } from '../coordination/memory-coordination.adapter';
import { CycleHistoryStore } from '../cycle-history/cycle-history-store.port';
import { MemoryCycleHistoryStore } from '../cycle-history/memory-cycle-history-store.adapter';
import { DeferralStore } from '../deferrals/deferral-store.port';
import { MemoryDeferralStore } from '../deferrals/memory-deferral-store.adapter';
import { DeliveryStore } from '../deliveries/delivery-store.port';
import { MemoryDeliveryStore } from '../deliveries/memory-delivery-store.adapter';
import type { Escalation } from '../escalation/escalation';
import { EscalationService } from '../escalation/escalation.service';
import type { OpenEscalation } from '../escalation/escalation-store.port';
import { Notifier } from '../escalation/notifier.port';
import { StormPager } from '../escalation/storm-pager.service';
import { RecordingNotifier } from '../escalation/recording-notifier.adapter';
import { IncidentStore } from '../incidents/incident-store.port';
import { MemoryIncidentStore } from '../incidents/memory-incident-store.adapter';
import { FixedInsights } from '../insights/fixed-insights.adapter';
import { Insights } from '../insights/insights.port';
import { MaintenanceStore } from '../maintenance/maintenance-store.port';
import { MemoryMaintenanceStore } from '../maintenance/memory-maintenance-store.adapter';
import { AutohealMetrics } from '../metrics/autoheal-metrics.service';
import { PredictorsModule } from '../predictors/predictors.module';
import { StrategyPredictor } from '../predictors/strategy-predictor.port';
import { BacklogReader } from '../recovery/backlog-reader.port';
import { DrainJob, DrainQueue } from '../recovery/drain-queue.port';
import { InProcessDrainQueue } from '../recovery/in-process-drain-queue.adapter';
import { IncidentBacklog } from '../recovery/incident-backlog.service';
import { IncidentRecovery } from '../recovery/incident-recovery.service';
import { LedgerDrainSenderFactory } from '../recovery/ledger-drain-sender';
import { MemoryBacklogReader } from '../recovery/memory-backlog-reader.adapter';
import { answerWithStatus, RecordingReplayer } from '../replay/recording-replayer.adapter';
import { MemoryReplayLedger } from '../replay/memory-replay-ledger.adapter';
import { ReplayLedger } from '../replay/replay-ledger.port';
import { Replayer } from '../replay/replayer.port';
import { TargetGuard } from '../replay/target-guard';
import { DEFAULT_RULES } from '../rules/rules.defaults';
import { RulesSource, StaticRulesSource } from '../rules/rules.source';
import type { AutohealRules, Strategy } from '../rules/rules.types';
import { validateRules } from '../rules/rules.validation';
import { MemoryThrottleRecordStore } from '../throttles/memory-throttle-record-store.adapter';
import { ThrottleRecordStore } from '../throttles/throttle-record-store.port';
import { TenantThrottles } from '../throttles/tenant-throttles.service';
import { MemorySilenceStore } from '../escalation/memory-silence-store.adapter';
import { SilenceStore } from '../escalation/silence-store.port';
import { AutohealEngine } from './autoheal-engine.service';
import { CycleBookkeeping } from './cycle-bookkeeping.service';
import { CycleInputs } from './cycle-inputs.service';
import type { CycleResult } from './cycle-result';
import { EXECUTORS, executorRegistryProvider } from './engine.module';
import { IncidentTracking } from './incident-tracking.service';

/** A deferral store whose `close` can be made to fail. */
class ClosingFailsDeferralStore extends MemoryDeferralStore {
  failClose = false;

  override async close(tenantId: string, endpoint: string, status: 'cleared' | 'escalated'): Promise<void> {
    if (this.failClose) throw new Error('database gone');
    return super.close(tenantId, endpoint, status);
  }
}

/** Memory coordination whose writes (cooldowns, counters) can be made to fail, as when Redis dies mid-cycle. */
class WritesFailCoordination extends MemoryCoordination {
  failWrites = false;

  override async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (this.failWrites) throw new Error('Connection is closed.');
    return super.set(key, value, ttlMs);
  }

  override async increment(key: string, ttlMs: number, by?: number): Promise<number> {
    if (this.failWrites) throw new Error('Connection is closed.');
    return super.increment(key, ttlMs, by);
  }
}

/** The three EscalationService calls the escalate executor makes, one unresolved escalation per tenant+endpoint. */
class OneOpenEscalation {
  readonly open_ = new Map<string, Escalation>();
  readonly failingFor = new Set<string>();

  async findUnresolved(tenantId: string, endpoint: string): Promise<Escalation | null> {
    if (this.failingFor.has(endpoint)) throw new Error(`escalations unavailable for ${endpoint}`);
    return this.open_.get(endpointKey(tenantId, endpoint)) ?? null;
  }

  async open(input: OpenEscalation): Promise<{ escalation: Escalation; created: boolean }> {
    const key = endpointKey(input.incident.tenant_id, input.incident.endpoint);
    const existing = this.open_.get(key);
    if (existing) {
      existing.occurrences += 1;
      return { escalation: existing, created: false };
    }
    const escalation: Escalation = {
      id: `esc-${this.open_.size + 1}`,
      tenant_id: input.incident.tenant_id,
      endpoint: input.incident.endpoint,
      priority: input.priority,
      status: 'open',
      reason: input.reason,
      incident: input.incident,
      occurrences: 1,
      created_at: input.now,
      last_seen_at: input.now,
      notified_at: null,
      acknowledged_by: null,
      acknowledged_at: null,
      resolved_by: null,
      resolved_at: null,
    };
    this.open_.set(key, escalation);
    return { escalation, created: true };
  }

  async markNotified(id: string, now: Date): Promise<Escalation> {
    const escalation = [...this.open_.values()].find((e) => e.id === id)!;
    escalation.notified_at = now;
    return escalation;
  }

  async resolve(id: string, by: string, now: Date): Promise<Escalation> {
    const escalation = [...this.open_.values()].find((e) => e.id === id)!;
    if (escalation.status !== 'resolved') Object.assign(escalation, { status: 'resolved', resolved_by: by, resolved_at: now });
    return escalation;
  }
}

/** M4 that cannot answer for some endpoints, in a batch or alone. */
class PartlyFailingInsights extends FixedInsights {
  readonly failingFor = new Set<string>();

  override async endpointSuccessRate(tenantId: string, endpoint: string, now: Date) {
    if (this.failingFor.has(endpoint)) throw new Error(`insights unavailable for ${endpoint}`);
    return super.endpointSuccessRate(tenantId, endpoint, now);
  }
}

@Global()
@Module({ providers: [{ provide: AppConfig, useValue: AppConfig.fromEnv({}) }], exports: [AppConfig] })
class DefaultConfigModule {}

const NOW = new Date('2026-11-25T12:00:00Z');
const TENANT = 'tenant-1';
const FAILURES_PER_ENDPOINT = DEFAULT_RULES.detection.min_failures;
const url = (name: string) => `https://${name}.example.com/hook`;

/** The engine with every collaborator real but in memory, and the outside world recorded. */
class EngineUnderTest {
  readonly clock = new ManualClock(new Date(NOW.getTime() - 60_000));
  readonly deliveries = new MemoryDeliveryStore(this.clock);
  readonly detector = new ScriptedAnomalyDetector();
  readonly insights = new PartlyFailingInsights({ rate: 0.9, samples: 20, basis: 'history' });
  readonly replayer = new RecordingReplayer();
  readonly notifier = new RecordingNotifier();
  readonly audit = new MemoryAuditLog(this.clock);
  readonly deferrals = new ClosingFailsDeferralStore();
  readonly history = new MemoryCycleHistoryStore();
  readonly escalations = new OneOpenEscalation();
  readonly ledger = new MemoryReplayLedger(this.deliveries);
  readonly coordination = new WritesFailCoordination();
  readonly incidents = new MemoryIncidentStore();
  readonly drains = new InProcessDrainQueue();
  readonly throttleRecords = new MemoryThrottleRecordStore();
  readonly silences = new MemorySilenceStore();
  moduleRef!: TestingModule;

  async start(
    rules: AutohealRules = DEFAULT_RULES,
    customize: (builder: TestingModuleBuilder) => TestingModuleBuilder = (b) => b,
  ): Promise<this> {
    const builder = Test.createTestingModule({
      imports: [DefaultConfigModule, PredictorsModule],
      providers: [
        AutohealEngine,
        CycleInputs,
        CycleBookkeeping,
        AutohealMetrics,
        IncidentTracking,
        StormPager,
        IncidentBacklog,
        IncidentRecovery,
        LedgerDrainSenderFactory,
        { provide: IncidentStore, useValue: this.incidents },
        { provide: BacklogReader, useValue: new MemoryBacklogReader(this.deliveries, this.clock) },
        { provide: DrainQueue, useValue: this.drains },
        ...EXECUTORS,
        executorRegistryProvider,
        { provide: RulesSource, useValue: new StaticRulesSource(rules) },
        { provide: Clock, useValue: this.clock },
        { provide: Coordination, useValue: this.coordination },
        { provide: ControlsStore, useValue: new MemoryControlsStore() },
        { provide: MaintenanceStore, useValue: new MemoryMaintenanceStore() },
        { provide: DeferralStore, useValue: this.deferrals },
        { provide: CycleHistoryStore, useValue: this.history },
        { provide: AnomalyDetector, useValue: this.detector },
        { provide: DeliveryStore, useValue: this.deliveries },
        { provide: Insights, useValue: this.insights },
        { provide: Replayer, useValue: this.replayer },
        {
          provide: TargetGuard,
          useValue: new TargetGuard({ allowPrivateTargets: false }, async () => [{ address: '93.184.216.34', family: 4 }]),
        },
        { provide: ReplayLedger, useValue: this.ledger },
        { provide: EscalationService, useValue: this.escalations },
        { provide: Notifier, useValue: this.notifier },
        { provide: AuditLog, useValue: this.audit },
        { provide: ThrottleRecordStore, useValue: this.throttleRecords },
        { provide: SilenceStore, useValue: this.silences },
        TenantThrottles,
      ],
    });
    this.moduleRef = await customize(builder).compile();
    return this;
  }

  /** detection.min_failures failed (503, so triaged transient) deliveries a minute before NOW, and their incident. */
  async failing(name: string): Promise<Incident> {
    const count = FAILURES_PER_ENDPOINT;
    const endpoint = url(name);
    this.clock.set(new Date(NOW.getTime() - 60_000));
    const items = Array.from({ length: count }, (_, i) => ({
      id: `${name}-${i + 1}`,
      tenant_id: TENANT,
      target: endpoint,
      status: 'failed' as const,
      http_status: 503,
      payload: { n: i },
    }));
    await this.deliveries.upsertBatch(items, 'dispatcher');
    this.clock.set(NOW);
    return buildIncident({
      tenant_id: TENANT,
      endpoint,
      failures: count,
      total_recent: count,
      triage_distribution: { transient_endpoint_down: count },
    });
  }

  run(dryRun = false): Promise<CycleResult> {
    return this.moduleRef.get(AutohealEngine).runCycle(NOW, dryRun);
  }

  /** A probe tick: the active incidents only, no detection. */
  probe(at: Date): Promise<CycleResult> {
    return this.moduleRef.get(AutohealEngine).runCycle(at, false, 'probe');
  }

  /** failing(name), reported as a sustained outage: what RECOVER_BACKLOG recovers. */
  async down(name: string): Promise<Incident> {
    return { ...(await this.failing(name)), kind: 'sustained_outage' };
  }

  async auditedActions(): Promise<string[]> {
    return (await this.audit.query({ limit: 100 })).reverse().map((entry) => `${entry.action} ${entry.resource_id}`);
  }
}

/** The ids `failing(name)` seeds. */
const idsOf = (...names: string[]) =>
  names.flatMap((name) => Array.from({ length: FAILURES_PER_ENDPOINT }, (_, i) => `${name}-${i + 1}`)).sort();

const decisions = (result: CycleResult) => [
  ...result.actions_taken.map((a) => ({
    endpoint: a.incident.endpoint,
    strategy: a.strategy,
    probability: a.probability,
    rationale: a.rationale,
  })),
  ...result.actions_skipped.map((s) => ({ endpoint: s.incident.endpoint, strategy: s.strategy, check: s.check })),
];

describe('AutohealEngine', () => {
  let engine: EngineUnderTest;

  afterEach(() => engine?.moduleRef?.close());

  it('chooses a strategy per incident and acts through its executor', async () => {
    engine = await new EngineUnderTest().start();
    engine.detector.set([
      await engine.failing('replay'),
      buildIncident({ tenant_id: TENANT, endpoint: url('critical'), severity: 'critical', failures: 120 }),
      buildIncident({ tenant_id: TENANT, endpoint: url('spike'), kind: 'traffic_spike', failures: 0, triage_distribution: {} }),
    ]);

    const result = await engine.run();

    expect(result).toMatchObject({
      incidents_detected: 3,
      actions_skipped: [],
      total_replays: 5,
      total_escalations: 1,
      total_deferrals: 1,
      dry_run: false,
    });
    expect(result.actions_taken.map((a) => [a.incident.endpoint, a.strategy, a.executed])).toEqual([
      [url('critical'), 'ESCALATE_OPERATOR', true],
      [url('replay'), 'REPLAY_RECENT', true],
      [url('spike'), 'DEFER_AND_MONITOR', true],
    ]);
    expect(engine.replayer.requests.map((r) => r.deliveryId).sort()).toEqual(idsOf('replay'));
    expect(engine.notifier.sent.map((n) => n.endpoint)).toEqual([url('critical')]);
    expect([...(await engine.deferrals.active()).keys()]).toEqual([endpointKey(TENANT, url('spike'))]);
    expect(await engine.history.last()).toEqual(result);
  });

  it('isolates a failing incident: one that throws while deciding or acting stops none of the others', async () => {
    engine = await new EngineUnderTest().start();
    engine.insights.failingFor.add(url('no-insights'));
    engine.escalations.failingFor.add(url('no-escalations'));
    engine.detector.set([
      await engine.failing('no-insights'),
      buildIncident({ tenant_id: TENANT, endpoint: url('no-escalations'), severity: 'critical' }),
      await engine.failing('healthy'),
      buildIncident({ tenant_id: TENANT, endpoint: url('pages'), severity: 'critical' }),
    ]);

    const result = await engine.run();

    expect(result.actions_skipped.map((s) => [s.incident.endpoint, s.strategy, s.check, s.reason])).toEqual([
      [url('no-insights'), null, 'error', `Error while handling the incident: insights unavailable for ${url('no-insights')}`],
      [
        url('no-escalations'),
        'ESCALATE_OPERATOR',
        'error',
        `Error while handling the incident: escalations unavailable for ${url('no-escalations')}`,
      ],
    ]);
    expect(result.actions_taken.map((a) => [a.incident.endpoint, a.strategy])).toEqual([
      [url('pages'), 'ESCALATE_OPERATOR'],
      [url('healthy'), 'REPLAY_RECENT'],
    ]);
    expect(engine.replayer.requests.map((r) => r.deliveryId).sort()).toEqual(idsOf('healthy'));
  });

  it('decides a dry run exactly as the live run, and a dry run sends, pages, defers and audits nothing', async () => {
    engine = await new EngineUnderTest().start();
    const cooling = await engine.failing('cooling');
    engine.detector.set([
      await engine.failing('replay'),
      // The same endpoint twice: the second is in the cooldown the first starts, dry or live.
      cooling,
      { ...cooling },
      buildIncident({ tenant_id: TENANT, endpoint: url('critical'), severity: 'critical' }),
      buildIncident({ tenant_id: TENANT, endpoint: url('spike'), kind: 'traffic_spike', failures: 0, triage_distribution: {} }),
    ]);

    const dry = await engine.run(true);
    expect(dry.dry_run).toBe(true);
    expect(engine.replayer.requests).toEqual([]);
    expect(idsOf('replay', 'cooling').flatMap((id) => engine.ledger.attemptsOf(id))).toEqual([]);
    expect(engine.notifier.sent).toEqual([]);
    expect(await engine.deferrals.active()).toEqual(new Map());
    expect(await engine.auditedActions()).toEqual([]);
    expect(dry.actions_taken.every((a) => a.executed === false && a.dry_run === true)).toBe(true);

    const live = await engine.run(false);
    expect(decisions(live)).toEqual(decisions(dry));
    expect(decisions(live).filter((d) => 'check' in d)).toEqual([
      { endpoint: url('cooling'), strategy: 'REPLAY_RECENT', check: 'cooldown' },
    ]);
    expect(engine.replayer.requests.map((r) => r.deliveryId).sort()).toEqual(idsOf('cooling', 'replay'));
    expect(engine.notifier.sent).toHaveLength(1);
    expect((await engine.deferrals.active()).size).toBe(1);
  });

  it.each([
    ['the default priorities', DEFAULT_RULES.strategy_priorities, ['autoheal_escalate', 'autoheal_replay', 'autoheal_defer']],
    [
      'priorities that put deferrals first',
      { ESCALATE_OPERATOR: 3, RATE_LIMIT_SOURCE: 4, REPLAY_RECENT: 2, SILENCE_DUPES: 5, DEFER_AND_MONITOR: 1 },
      ['autoheal_defer', 'autoheal_replay', 'autoheal_escalate'],
    ],
  ])('executes in the order of strategy_priorities: %s', async (_name, priorities: Partial<Record<Strategy, number>>, order) => {
    engine = await new EngineUnderTest().start(validateRules({ strategy_priorities: priorities }));
    engine.detector.set([
      buildIncident({ tenant_id: TENANT, endpoint: url('spike'), kind: 'traffic_spike', failures: 0, triage_distribution: {} }),
      await engine.failing('replay'),
      buildIncident({ tenant_id: TENANT, endpoint: url('critical'), severity: 'critical' }),
    ]);

    const result = await engine.run();

    const endpointOf: Record<string, string> = {
      autoheal_defer: url('spike'),
      autoheal_replay: url('replay'),
      autoheal_escalate: url('critical'),
    };
    expect(await engine.auditedActions()).toEqual(order.map((action) => `${action} ${endpointOf[action]}`));
    expect(result.actions_taken.map((a) => a.incident.endpoint)).toEqual(order.map((action) => endpointOf[action]));
  });

  describe('with another StrategyPredictor', () => {
    const escalateEverything: StrategyPredictor = {
      prepare: async () => undefined,
      chooseStrategy: () => ({ strategy: 'ESCALATE_OPERATOR', reason: 'The fake predictor escalates everything' }),
      predictOutcomeProbability: () => 0.97,
      shouldApply: (incident) =>
        incident.endpoint === url('vetoed')
          ? { apply: false, check: 'confidence', reason: 'The fake predictor vetoes this one' }
          : { apply: true },
    };

    it("acts on the injected predictor's choice, probability and verdict", async () => {
      engine = await new EngineUnderTest().start(DEFAULT_RULES, (builder) =>
        builder.overrideProvider(StrategyPredictor).useValue(escalateEverything),
      );
      // The rules would replay both.
      engine.detector.set([await engine.failing('transient'), await engine.failing('vetoed')]);

      const result = await engine.run();

      expect(result.actions_taken).toEqual([
        expect.objectContaining({
          strategy: 'ESCALATE_OPERATOR',
          probability: 0.97,
          rationale: 'The fake predictor escalates everything',
          incident: expect.objectContaining({ endpoint: url('transient') }),
        }),
      ]);
      expect(result.actions_skipped).toEqual([
        {
          incident: expect.objectContaining({ endpoint: url('vetoed') }),
          strategy: 'ESCALATE_OPERATOR',
          check: 'confidence',
          reason: 'The fake predictor vetoes this one',
          probability: 0.97,
        },
      ]);
      expect(engine.replayer.requests).toEqual([]);
      expect(engine.notifier.sent.map((n) => n.endpoint)).toEqual([url('transient')]);
    });
  });

  it('records the heal intent before the first send: a replay Redis dies during is reported whole, and its cooldown stands', async () => {
    engine = await new EngineUnderTest().start();
    engine.detector.set([await engine.failing('replay')]);
    engine.replayer.respondWith(() => {
      engine.coordination.failWrites = true;
      return { ok: true, httpStatus: 200, error: null, durationMs: 1 };
    });

    const result = await engine.run();

    expect(result.actions_taken).toEqual([
      expect.objectContaining({ strategy: 'REPLAY_RECENT', executed: true, count: FAILURES_PER_ENDPOINT }),
    ]);
    expect(result.total_replays).toBe(FAILURES_PER_ENDPOINT);
    expect(result.actions_skipped).toEqual([]);
    expect(await engine.history.last()).toEqual(result);
    engine.detector.set([await engine.failing('replay')]);
    expect((await engine.run()).actions_skipped).toEqual([expect.objectContaining({ strategy: 'REPLAY_RECENT', check: 'cooldown' })]);
  });

  it("keeps a throttled tenant's replay batch to max_deliveries × its throttle factor, the canary included", async () => {
    engine = await new EngineUnderTest().start(
      validateRules({ strategy_limits: { REPLAY_RECENT: { max_deliveries: FAILURES_PER_ENDPOINT } } }),
    );
    const throttles = engine.moduleRef.get(TenantThrottles);
    await throttles.apply({ tenantId: TENANT, factor: 0.5, durationMinutes: 30, reason: 'flood', actor: 'operator-1', now: NOW });
    engine.detector.set([await engine.failing('replay')]);

    const result = await engine.run();

    const throttled = Math.floor(FAILURES_PER_ENDPOINT * 0.5);
    expect(result.actions_taken).toEqual([expect.objectContaining({ strategy: 'REPLAY_RECENT', executed: true, count: throttled })]);
    expect(engine.replayer.requests).toHaveLength(throttled);
  });

  it('keeps an escalation that happened in the result when a later step fails, and reports that failure beside it', async () => {
    engine = await new EngineUnderTest().start();
    engine.deferrals.failClose = true;
    engine.detector.set([buildIncident({ tenant_id: TENANT, endpoint: url('critical'), severity: 'critical' })]);

    const result = await engine.run();

    expect(result.actions_taken).toEqual([expect.objectContaining({ strategy: 'ESCALATE_OPERATOR', executed: true, notified: true })]);
    expect(result.actions_skipped).toEqual([
      expect.objectContaining({
        strategy: 'ESCALATE_OPERATOR',
        check: 'error',
        reason: 'After the action: deferrals not closed: database gone',
      }),
    ]);
    expect(await engine.auditedActions()).toEqual([`autoheal_escalate ${url('critical')}`]);
    expect(await engine.history.last()).toEqual(result);
  });

  it('keeps the history row open while the cycle runs, each action appended as it happens', async () => {
    engine = await new EngineUnderTest().start();
    engine.detector.set([
      buildIncident({ tenant_id: TENANT, endpoint: url('critical'), severity: 'critical' }),
      await engine.failing('replay'),
    ]);
    let release: () => void = () => undefined;
    const sending = new Promise<void>((resolve) => {
      engine.replayer.respondWith(async () => {
        resolve();
        await new Promise<void>((done) => (release = done));
        return { ok: true, httpStatus: 200, error: null, durationMs: 1 };
      });
    });

    const run = engine.run();
    await sending;
    const midway = await engine.history.last();
    expect(midway).toMatchObject({ status: 'running', incidents_detected: 2, total_escalations: 1, total_replays: 0 });
    expect(midway!.actions_taken.map((a) => a.strategy)).toEqual(['ESCALATE_OPERATOR']);
    engine.replayer.respondWith(() => ({ ok: true, httpStatus: 200, error: null, durationMs: 1 }));
    release();

    const result = await run;
    expect(await engine.history.last()).toEqual(result);
    expect(result.actions_taken.map((a) => a.strategy)).toEqual(['ESCALATE_OPERATOR', 'REPLAY_RECENT']);
  });

  describe('RATE_LIMIT_SOURCE', () => {
    /** failing(name) of a tenant detection names as flooding (72% of all failures, 4.2x its baseline traffic). */
    const flooding = async (name: string): Promise<Incident> => ({
      ...(await engine.failing(name)),
      tenant_failure_share: 0.72,
      tenant_traffic_ratio: 4.2,
      flooding_tenant: TENANT,
    });
    const throttles = () => engine.moduleRef.get(TenantThrottles);

    it('throttles the flooding tenant by throttle_factor for duration_minutes, before replaying (strategy_priorities)', async () => {
      engine = await new EngineUnderTest().start();
      engine.detector.set([await flooding('flood')]);

      const result = await engine.run();

      expect(result.actions_taken).toEqual([
        expect.objectContaining({
          strategy: 'RATE_LIMIT_SOURCE',
          executed: true,
          throttle: { tenant_id: TENANT, factor: 0.5, duration_minutes: 30, until: new Date(NOW.getTime() + 30 * 60_000).toISOString() },
          rationale: expect.stringMatching(
            /^Tenant tenant-1 floods: 72% of all failures in the window, traffic 4.2x its baseline \(priority 2, chosen over REPLAY/,
          ),
        }),
      ]);
      expect(engine.replayer.requests).toEqual([]);
      expect(await throttles().get(TENANT, NOW)).toMatchObject({ factor: 0.5, until: new Date(NOW.getTime() + 1_800_000).toISOString() });
      expect(await engine.coordination.ttlMs(`throttle:${TENANT}`)).toBeGreaterThan(29 * 60_000);
      expect(await engine.auditedActions()).toEqual([`autoheal_rate_limit ${url('flood')}`]);

      // Throttled, the flood has had its answer: the failure pattern decides again (a replay, held by the endpoint's cooldown).
      const next = await engine.run();
      expect(next.actions_skipped).toEqual([expect.objectContaining({ strategy: 'REPLAY_RECENT', check: 'cooldown' })]);
    });

    it('a dry run says what it would throttle and throttles nothing', async () => {
      engine = await new EngineUnderTest().start();
      engine.detector.set([await flooding('flood')]);
      const result = await engine.run(true);
      expect(result.actions_taken).toEqual([
        expect.objectContaining({
          strategy: 'RATE_LIMIT_SOURCE',
          executed: false,
          would_throttle: expect.objectContaining({ factor: 0.5 }),
        }),
      ]);
      expect(await throttles().get(TENANT, NOW)).toBeNull();
      expect(await engine.throttleRecords.active(NOW)).toEqual([]);
    });

    it('a throttle above 60 minutes waits for an approval; approved, the next cycle applies it', async () => {
      engine = await new EngineUnderTest().start(validateRules({ strategy_limits: { RATE_LIMIT_SOURCE: { duration_minutes: 120 } } }));
      engine.detector.set([await flooding('flood')]);

      const asked = await engine.run();
      const [approval] = await engine.incidents.listApprovals({ status: 'pending', limit: 10 });
      expect(asked.actions_taken).toEqual([
        expect.objectContaining({
          strategy: 'ESCALATE_OPERATOR',
          approval_id: approval.id,
          approval_plan: expect.objectContaining({ throttle: { tenant_id: TENANT, factor: 0.5, duration_minutes: 120 } }),
        }),
      ]);
      expect(engine.notifier.sent[0].text).toContain(`Approve throttling tenant ${TENANT} to 0.5 of its rate for 120 minutes`);
      expect(await throttles().get(TENANT, NOW)).toBeNull();

      const waiting = await engine.run();
      expect(waiting.actions_skipped).toEqual([expect.objectContaining({ check: 'incident_state' })]);
      expect(await throttles().get(TENANT, NOW)).toBeNull();

      await engine.incidents.decideApproval(approval.id, 'approve', { actor: 'oncall', note: null, now: NOW });
      expect((await engine.incidents.active())[0].state).toBe('open');
      const approved = await engine.run();
      expect(approved.actions_taken).toEqual([
        expect.objectContaining({ strategy: 'RATE_LIMIT_SOURCE', throttle: expect.objectContaining({ duration_minutes: 120 }) }),
      ]);
      expect(await throttles().get(TENANT, NOW)).toMatchObject({ until: new Date(NOW.getTime() + 120 * 60_000).toISOString() });
    });

    it('a rejected throttle approval throttles nothing', async () => {
      engine = await new EngineUnderTest().start(validateRules({ strategy_limits: { RATE_LIMIT_SOURCE: { duration_minutes: 61 } } }));
      engine.detector.set([await flooding('flood')]);
      await engine.run();
      const [approval] = await engine.incidents.listApprovals({ status: 'pending', limit: 10 });
      await engine.incidents.decideApproval(approval.id, 'reject', { actor: 'oncall', note: null, now: NOW });
      const after = await engine.run();
      expect(after.actions_taken.filter((a) => a.strategy === 'RATE_LIMIT_SOURCE')).toEqual([]);
      expect(await throttles().get(TENANT, NOW)).toBeNull();
    });

    it.each<[string, (e: EngineUnderTest) => Promise<unknown> | unknown, AutohealRules, string, RegExp]>([
      [
        'the kill switch of the tenant',
        () => undefined,
        validateRules({ tenant_overrides: { [TENANT]: { autoheal_enabled: false } } }),
        'kill_switch',
        /disabled for tenant/,
      ],
      [
        'maintenance',
        (e) => e.moduleRef.get(MaintenanceStore).set(url('flood'), new Date(NOW.getTime() + 60_000), 'deploy', 'bob', NOW),
        DEFAULT_RULES,
        'maintenance',
        /maintenance/,
      ],
      [
        'a cooldown of the endpoint',
        (e) => e.coordination.set(`cooldown:${url('flood')}`, new Date(NOW.getTime() - 60_000).toISOString(), 60_000),
        DEFAULT_RULES,
        'cooldown',
        /Cooldown active/,
      ],
      [
        'the hourly heal cap',
        () => undefined,
        validateRules({ global_safety: { max_heals_per_hour: 0 } }),
        'hourly_cap',
        /Hourly heal cap/,
      ],
      [
        'a confidence minimum above its probability',
        () => undefined,
        validateRules({ strategy_limits: { RATE_LIMIT_SOURCE: { min_confidence: 0.95 } } }),
        'confidence',
        /below RATE_LIMIT_SOURCE minimum/,
      ],
    ])('is held back by %s', async (_, arrange, rules, check, reason) => {
      engine = await new EngineUnderTest().start(rules);
      engine.detector.set([await flooding('flood')]);
      await arrange(engine);
      const result = await engine.run();
      expect(result.actions_skipped).toEqual([
        expect.objectContaining({ strategy: 'RATE_LIMIT_SOURCE', check, reason: expect.stringMatching(reason) }),
      ]);
      expect(await throttles().get(TENANT, NOW)).toBeNull();
    });

    it("never throttles a tenant the predictor was told floods but detection did not name (another tenant's incident)", async () => {
      engine = await new EngineUnderTest().start();
      engine.detector.set([{ ...(await flooding('flood')), flooding_tenant: 'someone-else' }]);
      const result = await engine.run();
      expect(result.actions_taken.map((a) => a.strategy)).toEqual(['REPLAY_RECENT']);
      expect(await throttles().get(TENANT, NOW)).toBeNull();
      expect(await throttles().get('someone-else', NOW)).toBeNull();
    });

    it('a tenant that disables RATE_LIMIT_SOURCE is not throttled; its failures are healed as usual', async () => {
      engine = await new EngineUnderTest().start(
        validateRules({ tenant_overrides: { [TENANT]: { disabled_strategies: ['RATE_LIMIT_SOURCE'] } } }),
      );
      engine.detector.set([await flooding('flood')]);
      const result = await engine.run();
      expect(result.actions_taken.map((a) => a.strategy)).toEqual(['REPLAY_RECENT']);
      expect(await throttles().get(TENANT, NOW)).toBeNull();
    });
  });

  describe('RECOVER_BACKLOG', () => {
    it('opens the incident, probes one delivery per interval, and starts the drain job on the first 2xx', async () => {
      engine = await new EngineUnderTest().start(validateRules({ strategy_limits: { RECOVER_BACKLOG: { probe_interval_seconds: 30 } } }));
      const jobs: DrainJob[] = [];
      engine.drains.registerHandler(async (job) => void jobs.push(job));
      engine.detector.set([await engine.down('down')]);
      engine.replayer.respondWith(answerWithStatus(503));

      const first = await engine.run();
      expect(first.actions_taken).toEqual([
        expect.objectContaining({ strategy: 'RECOVER_BACKLOG', probe: expect.objectContaining({ outcome: 'failed', http_status: 503 }) }),
      ]);
      expect(engine.replayer.requests).toHaveLength(1);
      const [incident] = await engine.incidents.active();
      expect(incident).toMatchObject({ state: 'probing', probes: 1, sends_wasted: 1, next_probe_at: new Date(NOW.getTime() + 30_000) });

      // The burst has left detection; a probe tick before the interval is up sends nothing and reports nothing.
      engine.detector.set([]);
      const early = await engine.probe(new Date(NOW.getTime() + 10_000));
      expect([early.actions_taken, early.actions_skipped]).toEqual([[], []]);
      expect(engine.replayer.requests).toHaveLength(1);

      engine.replayer.respondWith(answerWithStatus(200));
      const due = await engine.probe(new Date(NOW.getTime() + 31_000));
      expect(due.actions_taken).toEqual([
        expect.objectContaining({
          strategy: 'RECOVER_BACKLOG',
          probe: expect.objectContaining({ outcome: 'delivered', http_status: 200 }),
        }),
      ]);
      expect(engine.replayer.requests).toHaveLength(2);
      expect(await engine.incidents.active()).toEqual([
        expect.objectContaining({
          id: incident.id,
          state: 'draining',
          probes: 2,
          delivered_by_heal: 1,
          first_probe_success_at: new Date(NOW.getTime() + 31_000),
        }),
      ]);
      expect(jobs).toEqual([{ kind: 'incident', id: incident.id }]);
      expect(await engine.auditedActions()).toEqual([`autoheal_probe ${url('down')}`, `autoheal_probe ${url('down')}`]);
    });

    it('dry run: says it would probe and what it would drain, and sends and persists nothing', async () => {
      engine = await new EngineUnderTest().start();
      engine.detector.set([await engine.down('dry')]);
      const dry = await engine.run(true);
      expect(dry.actions_taken).toEqual([
        expect.objectContaining({
          strategy: 'RECOVER_BACKLOG',
          executed: false,
          would_probe: true,
          would_drain: { count: FAILURES_PER_ENDPOINT, oldest_at: new Date(NOW.getTime() - 60_000).toISOString() },
        }),
      ]);
      expect(engine.replayer.requests).toEqual([]);
      expect(await engine.incidents.active()).toEqual([]);
    });

    it('asks for an approval before recovering a critical incident, pages with it and its plan, and probes once approved', async () => {
      engine = await new EngineUnderTest().start();
      engine.detector.set([{ ...(await engine.down('critical-down')), severity: 'critical' }]);

      const asked = await engine.run();
      const [approval] = await engine.incidents.listApprovals({ status: 'pending', limit: 10 });
      expect(asked.actions_taken).toEqual([
        expect.objectContaining({
          strategy: 'ESCALATE_OPERATOR',
          approval_id: approval.id,
          approval_plan: { count: FAILURES_PER_ENDPOINT, oldest_at: expect.any(String), target: url('critical-down') },
        }),
      ]);
      expect(engine.notifier.sent).toEqual([
        expect.objectContaining({ text: expect.stringContaining(`/autoheal/approvals/${approval.id}/approve`) }),
      ]);
      expect(engine.replayer.requests).toEqual([]);
      expect((await engine.incidents.active())[0]).toMatchObject({ state: 'awaiting_approval', escalation_id: expect.any(String) });

      const waiting = await engine.run();
      expect(waiting.actions_skipped).toEqual([
        expect.objectContaining({ check: 'incident_state', reason: expect.stringMatching(/awaiting approval/) }),
      ]);
      expect(engine.notifier.sent).toHaveLength(1);

      await engine.incidents.decideApproval(approval.id, 'approve', { actor: 'oncall', note: null, now: NOW });
      const approved = await engine.run();
      expect(approved.actions_taken).toEqual([
        expect.objectContaining({ strategy: 'RECOVER_BACKLOG', probe: expect.objectContaining({ outcome: 'delivered' }) }),
      ]);
    });

    it("resolves the approval's page when its incident recovers: nobody is woken for an outage that healed", async () => {
      engine = await new EngineUnderTest().start();
      const incident = { ...(await engine.down('healed-meanwhile')), severity: 'critical' as const };
      engine.detector.set([incident]);
      await engine.run();
      const [approval] = await engine.incidents.listApprovals({ status: 'pending', limit: 10 });
      await engine.incidents.decideApproval(approval.id, 'approve', { actor: 'oncall', note: null, now: NOW });
      const [record] = await engine.incidents.active();
      const page = [...engine.escalations.open_.values()][0];
      expect(page).toMatchObject({ id: record.escalation_id, status: 'open' });

      // The dispatcher delivers the backlog itself before the next cycle: nothing left, the incident recovers.
      const delivered = idsOf('healed-meanwhile').map((id) => ({
        id,
        tenant_id: TENANT,
        target: incident.endpoint,
        status: 'delivered' as const,
      }));
      engine.clock.set(new Date(NOW.getTime() + 1000));
      await engine.deliveries.upsertBatch(delivered, 'dispatcher');
      engine.detector.set([]);
      await engine.run();

      expect(await engine.incidents.active()).toEqual([]);
      expect(page).toMatchObject({ status: 'resolved', resolved_by: 'autoheal' });
      const timeline = (await engine.incidents.get(record.id))!.timeline.map((e) => [e.type, e.detail]);
      expect(timeline.slice(-2)).toEqual([
        ['recovered', { from: 'probing', to: 'recovered', reason: 'no failed delivery left' }],
        ['note', { escalation_resolved: page.id, reason: 'the incident recovered' }],
      ]);
    });

    it('keeps a draining incident draining when a cycle sees its burst as a failure cluster to escalate', async () => {
      engine = await new EngineUnderTest().start();
      const jobs: DrainJob[] = [];
      engine.drains.registerHandler(async (job) => void jobs.push(job));
      const endpoint = url('draining');
      // 40 transient and 21 permanent failures: more than 50 and under 70% transient, the predictor's "Massive failure cluster".
      engine.clock.set(new Date(NOW.getTime() - 60_000));
      const failed = (n: number, http_status: number) =>
        Array.from({ length: n }, (_, i) => ({
          id: `${http_status}-${i}`,
          tenant_id: TENANT,
          target: endpoint,
          status: 'failed' as const,
          http_status,
        }));
      await engine.deliveries.upsertBatch([...failed(40, 503), ...failed(21, 400)], 'dispatcher');
      engine.clock.set(NOW);
      const { incident: opened } = await engine.incidents.openOrUpdate(
        {
          tenantId: TENANT,
          endpoint,
          kind: 'failure_burst',
          severity: 'high',
          firstFailureAt: new Date(NOW.getTime() - 60_000),
          lastFailureAt: NOW,
          backlogSize: 61,
        },
        NOW,
      );
      const event = { type: 'state_changed' as const, at: NOW, actor: 'test' };
      await engine.incidents.transition(opened.id, ['open'], 'probing', {}, event);
      await engine.incidents.transition(opened.id, ['probing'], 'draining', { first_probe_success_at: NOW }, event);
      engine.detector.set([buildIncident({ tenant_id: TENANT, endpoint, severity: 'high', failures: 61, triage_distribution: {} })]);

      const result = await engine.run();
      expect(decisions(result)).toEqual([
        {
          endpoint,
          strategy: 'RECOVER_BACKLOG',
          probability: expect.any(Number),
          rationale: 'Incident draining: the endpoint answered its probe, its backlog is being delivered',
        },
      ]);
      expect(engine.notifier.sent).toEqual([]);
      expect(await engine.incidents.active()).toEqual([expect.objectContaining({ id: opened.id, state: 'draining' })]);
      expect(jobs).toEqual([{ kind: 'incident', id: opened.id }]);
    });

    it('opens no incident for an anomaly without a failure, such as the burst an incident just recovered', async () => {
      engine = await new EngineUnderTest().start();
      const endpoint = url('recovered-burst');
      engine.detector.set([buildIncident({ tenant_id: TENANT, endpoint, kind: 'traffic_spike', failures: 0, triage_distribution: {} })]);
      const result = await engine.run();
      expect(decisions(result)).toEqual([expect.objectContaining({ endpoint, strategy: 'DEFER_AND_MONITOR' })]);
      expect(await engine.incidents.list({ limit: 10 })).toEqual([]);
    });

    it('a storm pages once for all its endpoints, not once each', async () => {
      engine = await new EngineUnderTest().start(validateRules({ storm: { max_incidents: 2 } }));
      const gone = (name: string) =>
        buildIncident({ tenant_id: TENANT, endpoint: url(name), severity: 'critical', triage_distribution: { permanent_4xx: 10 } });
      engine.detector.set([gone('a'), gone('b'), gone('c')]);

      const first = await engine.run();
      expect(first.actions_taken.map((a) => [a.strategy, a.notified, a.storm])).toEqual(Array(3).fill(['ESCALATE_OPERATOR', false, true]));
      await engine.run();
      expect(engine.notifier.sent).toEqual([
        expect.objectContaining({ title: 'Auto-heal storm: 3 endpoints in incident', severity: 'critical' }),
      ]);
      for (const name of ['a', 'b', 'c']) expect(engine.notifier.sent[0].text).toContain(url(name));
    });
  });
});
