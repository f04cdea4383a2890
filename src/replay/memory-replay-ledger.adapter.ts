import type { AuditLog } from '../audit/audit-log.port';
import type { AttemptRecord, DeliveryRecord, DeliveryStore } from '../deliveries/delivery-store.port';
import { FAILED_STATUSES } from '../deliveries/delivery.constants';
import { classifyFailure } from '../triage/triage';
import { ABANDONED_ERROR, AUTOHEAL_SOURCE, OUTCOME_AUDIT_ACTION, ReplayLedger, SEND_AUDIT_ACTION } from './replay-ledger.port';
import { replayKeyFor, resendKeyFor, resendKeyPrefix } from './replay-key';
import type { ClaimContext, EndpointLease, ReplayClaim, ReplayResult, ReplaySettlement, ResendClaim, ResendContext } from './replay.types';

interface StoredLease {
  holder: string;
  fence: number;
  expiresAt: number;
}

interface DeliveryOverlay {
  outcome: Pick<DeliveryRecord, 'status' | 'http_status' | 'error' | 'triage_label' | 'triage_score'>;
  settledAt: Date;
  settledReplays: number;
  lastReplayAttemptId: string;
}

/**
 * The SQL adapter's rules in process memory. It reads deliveries from a store it does not write to, so each
 * settled replay's effect is kept here and laid over the store's record (`findDelivery`).
 */
export class MemoryReplayLedger extends ReplayLedger {
  private readonly attempts = new Map<string, AttemptRecord & { delivery_id: string }>();
  private readonly replayKeys = new Set<string>();
  private readonly overlays = new Map<string, DeliveryOverlay>();
  private readonly leases = new Map<string, StoredLease>();
  private nextAttemptId = 1;

  /** Leases run on wall-clock time, as the SQL adapter's run on the database's `now()`. */
  constructor(
    private readonly deliveries: Pick<DeliveryStore, 'findById'>,
    private readonly audit?: AuditLog,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  async acquireEndpointLease(tenantId: string, endpoint: string, holder: string, ttlMs: number): Promise<EndpointLease | null> {
    const key = JSON.stringify([tenantId, endpoint]);
    const current = this.leases.get(key);
    const now = this.now();
    if (current && current.holder !== holder && current.expiresAt > now) return null;
    const fence = !current ? 1 : current.holder === holder ? current.fence : current.fence + 1;
    this.leases.set(key, { holder, fence, expiresAt: now + ttlMs });
    return { tenantId, endpoint, holder, fence: String(fence), ttlMs };
  }

  async releaseEndpointLease(lease: EndpointLease): Promise<void> {
    const current = this.leases.get(JSON.stringify([lease.tenantId, lease.endpoint]));
    if (current && this.isCurrent(current, lease)) current.expiresAt = this.now();
  }

  async claim(deliveryId: string, ctx: ClaimContext): Promise<ReplayClaim | null> {
    const delivery = await this.findDelivery(deliveryId);
    // Nothing below awaits, so a check and its claim cannot interleave with another claim.
    if (!delivery || !FAILED_STATUSES.includes(delivery.status)) return null;
    const resentSince = this.attemptsOf(deliveryId).some((a) => a.attempted_at >= ctx.cycleStartedAt);
    const replayKey = replayKeyFor(delivery.id, delivery.attempts);
    if (resentSince || this.replayKeys.has(replayKey)) return null;
    if (ctx.lease) {
      const lease = this.leases.get(JSON.stringify([ctx.lease.tenantId, ctx.lease.endpoint]));
      if (!lease || !this.isCurrent(lease, ctx.lease)) return null;
      lease.expiresAt = this.now() + ctx.lease.ttlMs;
    }

    const claim = this.record(delivery, replayKey, ctx.actor, ctx.cycleId, ctx.now);
    if (!ctx.audit || !this.audit) return claim;
    await this.audit.record({
      operator_id: ctx.actor,
      action: SEND_AUDIT_ACTION,
      resource_type: 'delivery',
      resource_id: delivery.id,
      tenant_id: delivery.tenant_id,
      at: ctx.now,
      meta: {
        cycle_id: ctx.cycleId,
        attempt_id: claim.attemptId,
        replay_key: replayKey,
        target: delivery.target,
        fence: ctx.lease?.fence ?? null,
        strategy: ctx.strategy ?? null,
      },
    });
    return { ...claim, audited: true };
  }

  async claimForResend(deliveryId: string, ctx: ResendContext): Promise<ResendClaim> {
    const delivery = await this.findDelivery(deliveryId);
    // As in claim: nothing below awaits, so the checks and the claim are one step.
    if (!delivery) return { refused: 'unknown' };
    if (!FAILED_STATUSES.includes(delivery.status)) return { refused: 'not_failed', status: delivery.status };
    const sends = this.attemptsOf(deliveryId);
    if (sends.some((send) => send.outcome === 'pending')) return { refused: 'in_flight' };
    const automaticKey = replayKeyFor(delivery.id, delivery.attempts);
    const prefix = resendKeyPrefix(delivery.id, delivery.attempts);
    const resends = sends.filter((send) => send.replay_key?.startsWith(prefix)).length;
    const key = this.replayKeys.has(automaticKey) ? resendKeyFor(delivery.id, delivery.attempts, resends + 1) : automaticKey;
    return { claim: this.record(delivery, key, ctx.actor, null, ctx.now) };
  }

  private record(delivery: DeliveryRecord, replayKey: string, actor: string, cycleId: string | null, now: Date): ReplayClaim {
    const attemptId = String(this.nextAttemptId++);
    this.replayKeys.add(replayKey);
    this.attempts.set(attemptId, {
      id: attemptId,
      delivery_id: delivery.id,
      attempted_at: new Date(now.getTime()),
      finished_at: null,
      http_status: null,
      error: null,
      duration_ms: null,
      source: AUTOHEAL_SOURCE,
      actor,
      outcome: 'pending',
      replay_key: replayKey,
      cycle_id: cycleId,
    });
    return {
      attemptId,
      deliveryId: delivery.id,
      tenantId: delivery.tenant_id,
      target: delivery.target,
      payload: delivery.payload,
      body: delivery.body ?? null,
      contentType: delivery.content_type ?? null,
      headers: delivery.headers,
      replayKey,
      attemptNumber: delivery.attempts,
      cycleId,
      actor,
      claimedAt: new Date(now.getTime()),
    };
  }

  async settle(claim: ReplayClaim, result: ReplayResult, now: Date): Promise<ReplaySettlement | null> {
    const current = await this.findDelivery(claim.deliveryId);
    const attempt = this.attempts.get(claim.attemptId);
    if (!current || !attempt || attempt.outcome !== 'pending') return null;

    const outcome = result.ok ? 'succeeded' : 'failed';
    Object.assign(attempt, {
      outcome,
      http_status: result.httpStatus,
      error: result.error,
      duration_ms: Math.max(0, Math.round(result.durationMs)),
      finished_at: new Date(now.getTime()),
    });
    const triage = result.ok ? null : classifyFailure({ status: current.status, http_status: result.httpStatus, error: result.error });
    const settled: DeliveryOverlay['outcome'] = {
      status: result.ok ? 'delivered' : current.status,
      http_status: result.httpStatus,
      error: result.error,
      triage_label: triage?.label ?? current.triage_label,
      triage_score: triage?.score ?? current.triage_score,
    };
    if (claim.audited && this.audit) {
      await this.audit.record({
        operator_id: claim.actor,
        action: OUTCOME_AUDIT_ACTION,
        resource_type: 'delivery',
        resource_id: claim.deliveryId,
        tenant_id: claim.tenantId,
        at: now,
        meta: {
          cycle_id: claim.cycleId,
          attempt_id: claim.attemptId,
          outcome,
          http_status: result.httpStatus,
          error: result.error,
          duration_ms: attempt.duration_ms,
        },
      });
    }
    this.overlays.set(claim.deliveryId, {
      outcome: settled,
      settledAt: new Date(now.getTime()),
      settledReplays: (this.overlays.get(claim.deliveryId)?.settledReplays ?? 0) + 1,
      lastReplayAttemptId: claim.attemptId,
    });
    return {
      attemptId: claim.attemptId,
      deliveryId: claim.deliveryId,
      outcome,
      deliveryStatus: settled.status,
      attempts: current.attempts + 1,
      triageLabel: settled.triage_label,
      triageScore: settled.triage_score,
    };
  }

  async abandonStale(olderThan: Date): Promise<string[]> {
    const abandoned: string[] = [];
    for (const attempt of this.attempts.values()) {
      if (attempt.outcome !== 'pending' || attempt.attempted_at >= olderThan) continue;
      Object.assign(attempt, { outcome: 'abandoned', error: ABANDONED_ERROR });
      abandoned.push(attempt.id);
    }
    return abandoned;
  }

  /** As in SQL, a replay counts as an attempt, and its outcome stands until the store records a later attempt. */
  async findDelivery(id: string): Promise<DeliveryRecord | null> {
    const found = await this.deliveries.findById(id);
    if (!found) return null;
    const { attempt_history: _history, ...stored } = found;
    const overlay = this.overlays.get(id);
    if (!overlay) return stored;
    const { settledAt } = overlay;
    const replayIsLatest = !stored.last_attempt_at || settledAt >= stored.last_attempt_at;
    return {
      ...stored,
      ...(replayIsLatest ? { ...overlay.outcome, last_attempt_at: settledAt } : {}),
      attempts: stored.attempts + overlay.settledReplays,
      meta: { ...stored.meta, autoheal: true, last_replay_attempt_id: overlay.lastReplayAttemptId },
      updated_at: stored.updated_at > settledAt ? stored.updated_at : settledAt,
    };
  }

  private isCurrent(stored: StoredLease, lease: EndpointLease): boolean {
    return stored.holder === lease.holder && String(stored.fence) === lease.fence && stored.expiresAt > this.now();
  }

  /** Oldest first. */
  attemptsOf(deliveryId: string): AttemptRecord[] {
    return [...this.attempts.values()]
      .filter((a) => a.delivery_id === deliveryId)
      .map(({ delivery_id: _delivery, ...attempt }) => structuredClone(attempt));
  }
}
