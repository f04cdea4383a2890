import { Test, TestingModule } from '@nestjs/testing';
import { buildIncident } from '../../anomalies/scripted-anomaly-detector.adapter';
import { AuditLog } from '../../audit/audit-log.port';
import { MemoryAuditLog } from '../../audit/memory-audit-log.adapter';
import { Clock, ManualClock } from '../../clock/clock';
import { MemoryCoordination } from '../../coordination/memory-coordination.adapter';
import { MemoryDeliveryStore } from '../../deliveries/memory-delivery-store.adapter';
import { MemoryReplayLedger } from '../../replay/memory-replay-ledger.adapter';
import { answerWithStatus, RecordingReplayer } from '../../replay/recording-replayer.adapter';
import { ReplayLedger } from '../../replay/replay-ledger.port';
import type { ClaimContext, ReplayClaim, ReplayResult, ReplaySettlement } from '../../replay/replay.types';
import { Replayer } from '../../replay/replayer.port';
import { HostResolver, TargetGuard } from '../../replay/target-guard';
import { effectiveLimits } from '../../rules/effective-limits';
import { DEFAULT_RULES } from '../../rules/rules.defaults';
import { CycleState } from '../cycle-state';
import { AUTOHEAL_OPERATOR } from './autoheal-audit';
import { ReplayExecutor } from './replay.executor';
import type { ExecutionOutcome, ExecutionPlan } from './strategy-executor';

const NOW = new Date('2026-11-25T12:00:00Z');
const TENANT = 'tenant-1';
const ENDPOINT = 'https://shop.example.com/hook';
const PRIVATE_ENDPOINT = 'https://intranet.example.com/hook';
const IDS = ['d-1', 'd-2', 'd-3', 'd-4', 'd-5'];

/** A ledger whose claim or settle of one delivery fails, as when PostgreSQL goes away mid-batch. */
class BreakingLedger extends MemoryReplayLedger {
  failClaimOf: string | null = null;
  failSettleOf: string | null = null;

  override async claim(deliveryId: string, ctx: ClaimContext): Promise<ReplayClaim | null> {
    if (deliveryId === this.failClaimOf) throw new Error('Connection terminated');
    return super.claim(deliveryId, ctx);
  }

  override async settle(claim: ReplayClaim, result: ReplayResult, now: Date): Promise<ReplaySettlement | null> {
    if (claim.deliveryId === this.failSettleOf) throw new Error('Connection terminated');
    return super.settle(claim, result, now);
  }
}

const resolver: HostResolver = async (host) => [{ address: host === 'intranet.example.com' ? '10.1.2.3' : '93.184.216.34', family: 4 }];

describe('ReplayExecutor', () => {
  let clock: ManualClock;
  let deliveries: MemoryDeliveryStore;
  let audit: MemoryAuditLog;
  let ledger: BreakingLedger;
  let replayer: RecordingReplayer;
  let coordination: MemoryCoordination;
  let moduleRef: TestingModule;
  let executor: ReplayExecutor;

  beforeEach(async () => {
    clock = new ManualClock(new Date(NOW.getTime() - 60_000));
    deliveries = new MemoryDeliveryStore(clock);
    audit = new MemoryAuditLog(clock);
    ledger = new BreakingLedger(deliveries, audit, () => clock.now().getTime());
    replayer = new RecordingReplayer();
    coordination = new MemoryCoordination(() => clock.now().getTime());
    const seed = (target: string, prefix: string) =>
      IDS.map((id) => ({ id: `${prefix}${id}`, tenant_id: TENANT, target, status: 'failed' as const, http_status: 503, payload: { id } }));
    await deliveries.upsertBatch([...seed(ENDPOINT, ''), ...seed(PRIVATE_ENDPOINT, 'private-')], 'dispatcher');
    clock.set(NOW);

    moduleRef = await Test.createTestingModule({
      providers: [
        ReplayExecutor,
        { provide: ReplayLedger, useValue: ledger },
        { provide: Replayer, useValue: replayer },
        { provide: TargetGuard, useValue: new TargetGuard({ allowPrivateTargets: false }, resolver) },
        { provide: AuditLog, useValue: audit },
        { provide: Clock, useValue: clock },
      ],
    }).compile();
    executor = moduleRef.get(ReplayExecutor);
  });

  afterEach(() => moduleRef.close());

  async function planFor(options: { dryRun?: boolean; endpoint?: string; cycleId?: string } = {}): Promise<ExecutionPlan> {
    const { dryRun = false, endpoint = ENDPOINT, cycleId = 'cycle-1' } = options;
    const since = new Date(NOW.getTime() - 10 * 60_000);
    const candidates = await deliveries.recentFailures({ tenantId: TENANT, endpoint, since, limit: 25 });
    return {
      cycleId,
      now: NOW,
      dryRun,
      rules: DEFAULT_RULES,
      incident: buildIncident({ tenant_id: TENANT, endpoint, failures: IDS.length, triage_distribution: { transient_endpoint_down: 5 } }),
      strategy: 'REPLAY_RECENT',
      probability: 0.9,
      rationale: 'Transient failures on a recovering endpoint',
      limits: effectiveLimits(DEFAULT_RULES, 'REPLAY_RECENT', TENANT),
      replayCandidates: [...candidates].sort((a, b) => a.id.localeCompare(b.id)),
      deferral: null,
      state: await CycleState.open(coordination, dryRun, NOW),
    };
  }

  /** What a later cycle reads from coordination about the endpoint. */
  const lastHealedAt = async (endpoint = ENDPOINT) => (await CycleState.open(coordination, false, NOW)).lastHealedAt(endpoint);
  const healsThisHour = async () => (await CycleState.open(coordination, false, NOW)).healsThisHour;
  const auditedActions = async () => (await audit.query({ limit: 100 })).reverse().map((e) => `${e.action} ${e.resource_id}`);
  const sentIds = () => replayer.requests.map((r) => r.deliveryId);
  const taken = (outcome: ExecutionOutcome) => {
    if (!('taken' in outcome)) throw new Error(`expected an action, got ${JSON.stringify(outcome)}`);
    return outcome.taken;
  };

  describe('a dry run', () => {
    it('says what it would replay and sends, claims, audits and stores nothing', async () => {
      const plan = await planFor({ dryRun: true });

      const outcome = await executor.execute(plan);

      expect(outcome).toEqual({
        taken: expect.objectContaining({ strategy: 'REPLAY_RECENT', executed: false, dry_run: true, would_replay: IDS, count: 5 }),
      });
      expect(replayer.requests).toEqual([]);
      expect(IDS.flatMap((id) => ledger.attemptsOf(id))).toEqual([]);
      expect(await audit.query({ limit: 100 })).toEqual([]);
      expect(await lastHealedAt()).toBeNull();
      expect(await healsThisHour()).toBe(0);
      expect(await ledger.acquireEndpointLease(TENANT, ENDPOINT, 'another-cycle', 60_000)).not.toBeNull();
    });

    it("puts the endpoint in cooldown in the cycle's own view, as the live run would", async () => {
      const plan = await planFor({ dryRun: true });

      await executor.execute(plan);

      expect(await plan.state.lastHealedAt(ENDPOINT)).toEqual(NOW);
      expect(plan.state.healsThisHour).toBe(1);
    });
  });

  describe('live', () => {
    it('claims, sends and settles each delivery once, in order, and audits the replay', async () => {
      const outcome = await executor.execute(await planFor());

      expect(taken(outcome)).toEqual(
        expect.objectContaining({ executed: true, replayed: IDS, delivered: IDS, still_failing: [], not_claimed: [], count: 5 }),
      );
      expect(taken(outcome)).not.toHaveProperty('error');
      expect(sentIds()).toEqual(IDS);
      expect(replayer.requests[0]).toEqual({
        deliveryId: 'd-1',
        tenantId: 'tenant-1',
        target: ENDPOINT,
        payload: { id: 'd-1' },
        body: null,
        contentType: null,
        headers: null,
        idempotencyKey: 'd-1',
      });
      for (const id of IDS) {
        expect(ledger.attemptsOf(id)).toEqual([
          expect.objectContaining({ outcome: 'succeeded', http_status: 200, actor: AUTOHEAL_OPERATOR, cycle_id: 'cycle-1' }),
        ]);
        expect(await ledger.findDelivery(id)).toMatchObject({ status: 'delivered' });
      }
      expect(await auditedActions()).toEqual([
        ...IDS.flatMap((id) => [`autoheal_replay_send ${id}`, `autoheal_replay_outcome ${id}`]),
        `autoheal_replay ${ENDPOINT}`,
      ]);
    });

    it('claims each delivery (with its audit intent) before its request leaves', async () => {
      const seenAtSend: unknown[] = [];
      replayer.respondWith(async (request) => {
        const sends = await audit.query({ action: 'autoheal_replay_send', limit: 100 });
        seenAtSend.push({
          id: request.deliveryId,
          attempts: ledger.attemptsOf(request.deliveryId).map((a) => a.outcome),
          audited: sends.some((e) => e.resource_id === request.deliveryId),
        });
        return answerWithStatus(200)(request);
      });

      await executor.execute(await planFor());

      expect(seenAtSend).toEqual(IDS.map((id) => ({ id, attempts: ['pending'], audited: true })));
    });

    it('records the heal (cooldown, hourly count) before the first send', async () => {
      const atFirstSend: Array<{ healedAt: Date | null; heals: number }> = [];
      replayer.respondWith(async (request) => {
        if (atFirstSend.length === 0) atFirstSend.push({ healedAt: await lastHealedAt(), heals: await healsThisHour() });
        return answerWithStatus(200)(request);
      });

      await executor.execute(await planFor());

      expect(atFirstSend).toEqual([{ healedAt: NOW, heals: 1 }]);
      expect(await healsThisHour()).toBe(1);
    });

    // Today's behaviour: every candidate is sent even when the first answers 5xx (no canary yet).
    it('canary-first: an endpoint that still refuses the first send gets no more of the batch, and all stay failed', async () => {
      replayer.respondWith(answerWithStatus(503));

      const outcome = await executor.execute(await planFor());

      expect(taken(outcome)).toEqual(
        expect.objectContaining({
          executed: true,
          replayed: IDS.slice(0, 1),
          delivered: [],
          still_failing: IDS.slice(0, 1),
          canary_failed: true,
          not_sent: IDS.slice(1),
          count: 1,
        }),
      );
      expect(sentIds()).toEqual(IDS.slice(0, 1));
      expect(ledger.attemptsOf(IDS[0])).toEqual([expect.objectContaining({ outcome: 'failed', http_status: 503 })]);
      for (const id of IDS.slice(1)) expect(ledger.attemptsOf(id)).toEqual([]);
      for (const id of IDS) expect(await ledger.findDelivery(id)).toMatchObject({ status: 'failed' });
    });

    it('never sends a delivery twice: the same plan executed again claims nothing and sends nothing', async () => {
      const plan = await planFor();
      await executor.execute(plan);
      replayer.reset();

      const again = await executor.execute(plan);

      expect(again).toEqual({
        skipped: { check: 'replay_claim', reason: 'None of 5 deliveries could be claimed: already being replayed, or no longer failed' },
      });
      expect(replayer.requests).toEqual([]);
      expect(IDS.map((id) => ledger.attemptsOf(id).length)).toEqual([1, 1, 1, 1, 1]);
    });

    it('skips a delivery another sender has claimed meanwhile and replays the rest', async () => {
      const plan = await planFor();
      await ledger.claim('d-2', { cycleId: 'cycle-0', cycleStartedAt: NOW, actor: AUTOHEAL_OPERATOR, now: NOW });
      const rest = ['d-1', 'd-3', 'd-4', 'd-5'];

      const outcome = await executor.execute(plan);

      expect(taken(outcome)).toEqual(expect.objectContaining({ replayed: rest, delivered: rest, not_claimed: ['d-2'], count: 4 }));
      expect(sentIds()).toEqual(rest);
    });

    it("sends nothing while another cycle holds the endpoint's healing lease, and records no heal", async () => {
      await ledger.acquireEndpointLease(TENANT, ENDPOINT, 'cycle-other', 60_000);

      const outcome = await executor.execute(await planFor());

      expect(outcome).toEqual({ skipped: { check: 'endpoint_lease', reason: expect.stringContaining('holds this endpoint') } });
      expect(replayer.requests).toEqual([]);
      expect(await lastHealedAt()).toBeNull();
    });

    it('releases the healing lease when it is done', async () => {
      await executor.execute(await planFor());

      expect(await ledger.acquireEndpointLease(TENANT, ENDPOINT, 'cycle-2', 60_000)).toMatchObject({ holder: 'cycle-2', fence: '2' });
    });

    it('stops at a storage error while settling: nothing more is claimed, and the error is reported with what was sent', async () => {
      ledger.failSettleOf = 'd-2';

      const outcome = await executor.execute(await planFor());

      expect(taken(outcome)).toEqual(
        expect.objectContaining({
          executed: true,
          replayed: ['d-1', 'd-2'],
          delivered: ['d-1'],
          count: 2,
          error: 'Stopped after 2 of 5: Connection terminated',
        }),
      );
      expect(sentIds()).toEqual(['d-1', 'd-2']);
      expect(ledger.attemptsOf('d-2')).toEqual([expect.objectContaining({ outcome: 'pending' })]);
      expect(['d-3', 'd-4', 'd-5'].flatMap((id) => ledger.attemptsOf(id))).toEqual([]);
      const [replayAudit] = await audit.query({ action: 'autoheal_replay', limit: 1 });
      expect(replayAudit.meta).toMatchObject({ replayed: ['d-1', 'd-2'], error: 'Stopped after 2 of 5: Connection terminated' });
      expect(await ledger.acquireEndpointLease(TENANT, ENDPOINT, 'cycle-2', 60_000)).not.toBeNull();
    });

    it('reports a storage error on the very first claim as an action that sent nothing', async () => {
      ledger.failClaimOf = 'd-1';

      const outcome = await executor.execute(await planFor());

      expect(taken(outcome)).toEqual(
        expect.objectContaining({ executed: true, replayed: [], count: 0, error: 'Stopped after 0 of 5: Connection terminated' }),
      );
      expect(replayer.requests).toEqual([]);
      expect(IDS.flatMap((id) => ledger.attemptsOf(id))).toEqual([]);
    });
  });

  it.each([false, true])('refuses a target that resolves to a private address (dry run: %s)', async (dryRun) => {
    const plan = await planFor({ dryRun, endpoint: PRIVATE_ENDPOINT });
    expect(plan.replayCandidates).toHaveLength(5);

    const outcome = await executor.execute(plan);

    expect(outcome).toEqual({
      skipped: {
        check: 'target_policy',
        reason: 'Replay target refused: target host intranet.example.com resolves to 10.1.2.3, a private address',
      },
    });
    expect(replayer.requests).toEqual([]);
    expect(IDS.flatMap((id) => ledger.attemptsOf(`private-${id}`))).toEqual([]);
    expect(await plan.state.lastHealedAt(PRIVATE_ENDPOINT)).toBeNull();
    expect(await audit.query({ limit: 100 })).toEqual([]);
  });
});
