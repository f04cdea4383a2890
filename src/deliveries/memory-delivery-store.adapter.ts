import { endpointKey } from '../common/endpoint-key';
import { Clock } from '../clock/clock';
import { replayKeyFor } from '../replay/replay-key';
import { classifyFailure } from '../triage/triage';
import type {
  ActivityCount,
  ActivityQuery,
  AttemptRecord,
  DeliveryDetail,
  DeliveryOutcome,
  DeliveryQuery,
  DeliveryRecord,
  OutageStartQuery,
  RecentFailure,
  RecentFailuresQuery,
  UpsertResult,
} from './delivery-store.port';
import { DeliveryStore, RECENT_FAILURE_FIELDS } from './delivery-store.port';
import { assertDistinctIds, TenantMismatchError } from './delivery-batch';
import { givesContent } from './delivery-body';
import { FAILED_STATUSES } from './delivery.constants';

const recentFailureOf = (delivery: DeliveryRecord): RecentFailure =>
  Object.fromEntries(RECENT_FAILURE_FIELDS.map((field) => [field, delivery[field]])) as RecentFailure;

type ReplayClaimRecord = Pick<AttemptRecord, 'attempted_at' | 'source' | 'actor' | 'outcome' | 'cycle_id'>;

/** Same rules as the SQL adapter: atomic batches, one attempt per (id, attempted_at), triage on the way in. */
export class MemoryDeliveryStore extends DeliveryStore {
  private readonly deliveries = new Map<string, DeliveryRecord>();
  private readonly attempts = new Map<string, AttemptRecord[]>();
  private nextAttemptId = 1;

  constructor(private readonly clock: Clock) {
    super();
  }

  async upsertBatch(items: DeliveryOutcome[], actor: string): Promise<UpsertResult> {
    assertDistinctIds(items);
    // Check everything before changing anything, so a refused batch leaves no trace.
    items.forEach((item, index) => {
      const stored = this.deliveries.get(item.id);
      if (stored && stored.tenant_id !== item.tenant_id) throw new TenantMismatchError(index, item.id);
    });
    const now = this.clock.now();
    let inserted = 0;
    for (const item of items) {
      const stored = this.deliveries.get(item.id);
      if (!stored) inserted++;
      const triage = classifyFailure(item);
      // As in SQL: an outcome older than the last recorded attempt overwrites neither it nor what a replay sends.
      const attemptedAt = item.status === 'pending' ? null : (item.attempted_at ?? now);
      const stale = !!stored?.last_attempt_at && (!attemptedAt || attemptedAt < stored.last_attempt_at);
      const outcome = stale
        ? {
            status: stored!.status,
            http_status: stored!.http_status,
            error: stored!.error,
            triage_label: stored!.triage_label,
            triage_score: stored!.triage_score,
          }
        : {
            status: item.status,
            http_status: item.http_status ?? null,
            error: item.error ?? null,
            triage_label: triage?.label ?? null,
            triage_score: triage?.score ?? null,
          };
      const delivery: DeliveryRecord = {
        id: item.id,
        tenant_id: item.tenant_id,
        target: stored?.target ?? item.target,
        event_type: (stale ? undefined : item.event_type) ?? stored?.event_type ?? null,
        ...outcome,
        attempts: stored?.attempts ?? 0,
        ...(stale || !givesContent(item)
          ? { payload: stored?.payload ?? null, body: stored?.body ?? null, content_type: stored?.content_type ?? null }
          : { payload: structuredClone(item.payload ?? null), body: item.body ?? null, content_type: item.content_type ?? null }),
        headers: !stale && item.headers ? { ...item.headers } : (stored?.headers ?? null),
        meta: stored?.meta ?? {},
        created_at: stored?.created_at ?? item.created_at ?? now,
        updated_at: now,
        last_attempt_at: stored?.last_attempt_at ?? null,
      };
      if (item.status !== 'pending') this.recordAttempt(delivery, item, item.attempted_at ?? now, actor);
      this.deliveries.set(item.id, delivery);
    }
    return { inserted, updated: items.length - inserted };
  }

  async findById(id: string): Promise<DeliveryDetail | null> {
    const delivery = this.deliveries.get(id);
    if (!delivery) return null;
    const history = [...(this.attempts.get(id) ?? [])].sort(
      (a, b) => b.attempted_at.getTime() - a.attempted_at.getTime() || Number(b.id) - Number(a.id),
    );
    return structuredClone({ ...delivery, attempt_history: history });
  }

  async list(query: DeliveryQuery): Promise<DeliveryRecord[]> {
    return this.select(
      (d) =>
        (query.tenant_id === undefined || d.tenant_id === query.tenant_id) &&
        (query.tenant_ids === undefined || query.tenant_ids.includes(d.tenant_id)) &&
        (query.target === undefined || d.target === query.target) &&
        (query.status === undefined || d.status === query.status) &&
        (query.since === undefined || d.created_at >= query.since),
      query.limit,
    );
  }

  async activeEndpoints(since: Date): Promise<number> {
    const active = new Set<string>();
    for (const d of this.deliveries.values()) if (d.created_at >= since) active.add(endpointKey(d.tenant_id, d.target));
    return active.size;
  }

  async endpointActivity(query: ActivityQuery): Promise<ActivityCount[]> {
    const counts = new Map<string, ActivityCount>();
    const tenants = query.tenantIds ? new Set(query.tenantIds) : null;
    for (const [deliveryId, attempts] of this.attempts) {
      const delivery = this.deliveries.get(deliveryId);
      if (!delivery || (tenants && !tenants.has(delivery.tenant_id))) continue;
      for (const a of attempts) {
        const failure = a.outcome === 'failed';
        const heal = a.outcome === 'succeeded' && a.source !== 'dispatcher';
        if ((!failure && !heal) || a.attempted_at < query.since || a.attempted_at >= query.until) continue;
        const bucket = Math.floor((a.attempted_at.getTime() - query.since.getTime()) / (query.bucketSeconds * 1000));
        const key = `${endpointKey(delivery.tenant_id, delivery.target)}\u0000${bucket}`;
        const count = counts.get(key) ?? { tenant_id: delivery.tenant_id, endpoint: delivery.target, bucket, failures: 0, heals: 0 };
        if (failure) count.failures++;
        else count.heals++;
        counts.set(key, count);
      }
    }
    return [...counts.values()].sort((a, b) => compare(a.tenant_id, b.tenant_id) || compare(a.endpoint, b.endpoint) || a.bucket - b.bucket);
  }

  async outageStarts(refs: readonly OutageStartQuery[]): Promise<Map<string, Date>> {
    const result = new Map<string, Date>();
    for (const { tenantId, endpoint, notBefore } of refs) {
      const mine = [...this.deliveries.values()].filter(
        (d) => d.tenant_id === tenantId && d.target === endpoint && d.created_at >= notBefore,
      );
      const lastOk = mine.reduce((at, d) => (d.status === 'delivered' ? Math.max(at, d.created_at.getTime()) : at), -Infinity);
      const failures = mine
        .filter((d) => FAILED_STATUSES.includes(d.status) && d.created_at.getTime() > lastOk)
        .reduce((at, d) => Math.min(at, d.created_at.getTime()), Infinity);
      if (failures !== Infinity) result.set(endpointKey(tenantId, endpoint), new Date(failures));
    }
    return result;
  }

  async recentFailures(query: RecentFailuresQuery): Promise<RecentFailure[]> {
    const rows = this.select(
      (d) =>
        d.tenant_id === query.tenantId &&
        d.target === query.endpoint &&
        d.created_at >= query.since &&
        FAILED_STATUSES.includes(d.status) &&
        !this.replayClaimed(d),
      query.limit,
    );
    return rows.map(recentFailureOf);
  }

  /**
   * As the SQL ledger writes it: an attempt keyed on the current attempt counter, which keeps the delivery out of
   * `recentFailures` until a later attempt moves the counter on. Null when unknown or already claimed.
   */
  recordReplayClaim(deliveryId: string, claim: ReplayClaimRecord): AttemptRecord | null {
    const delivery = this.deliveries.get(deliveryId);
    if (!delivery || this.replayClaimed(delivery)) return null;
    const attempt: AttemptRecord = {
      ...claim,
      id: String(this.nextAttemptId++),
      attempted_at: new Date(claim.attempted_at.getTime()),
      finished_at: null,
      http_status: null,
      error: null,
      duration_ms: null,
      replay_key: replayKeyFor(delivery.id, delivery.attempts),
    };
    this.attempts.set(deliveryId, [...(this.attempts.get(deliveryId) ?? []), attempt]);
    return structuredClone(attempt);
  }

  private replayClaimed(delivery: DeliveryRecord): boolean {
    const key = replayKeyFor(delivery.id, delivery.attempts);
    return (this.attempts.get(delivery.id) ?? []).some((attempt) => attempt.replay_key === key);
  }

  private recordAttempt(delivery: DeliveryRecord, item: DeliveryOutcome, attemptedAt: Date, actor: string): void {
    const history = this.attempts.get(item.id) ?? [];
    const seen = history.some((a) => a.source === 'dispatcher' && a.attempted_at.getTime() === attemptedAt.getTime());
    if (seen) return;
    history.push({
      id: String(this.nextAttemptId++),
      attempted_at: new Date(attemptedAt.getTime()),
      finished_at: null,
      http_status: item.http_status ?? null,
      error: item.error ?? null,
      duration_ms: null,
      source: 'dispatcher',
      actor,
      outcome: item.status === 'delivered' ? 'succeeded' : 'failed',
      replay_key: null,
      cycle_id: null,
    });
    this.attempts.set(item.id, history);
    delivery.attempts++;
    if (!delivery.last_attempt_at || attemptedAt > delivery.last_attempt_at) delivery.last_attempt_at = new Date(attemptedAt.getTime());
  }

  private select(predicate: (delivery: DeliveryRecord) => boolean, limit: number): DeliveryRecord[] {
    const rows = [...this.deliveries.values()]
      .filter(predicate)
      .sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, limit);
    return structuredClone(rows);
  }
}

/** Code-point order, as PostgreSQL's C collation would sort (the test database's). */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
