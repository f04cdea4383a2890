import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { Coordination } from '../coordination/coordination.port';
import { TenantThrottle, ThrottleRecordStore } from './throttle-record-store.port';

const FOR_TENANTS_CACHE_MS = 1000;

export const throttleKey = (tenantId: string) => `throttle:${tenantId}`;

/** What a dispatcher reads: multiply the tenant's delivery rate by `factor` until `until`. */
export interface ThrottleView {
  tenant_id: string;
  factor: number;
  until: string;
  reason: string | null;
  set_by: string;
  created_at: string;
}

export interface ThrottleRequest {
  tenantId: string;
  factor: number;
  durationMinutes: number;
  reason: string | null;
  actor: string;
  now: Date;
  incidentId?: string | null;
}

const toView = (t: TenantThrottle): ThrottleView => ({
  tenant_id: t.tenant_id,
  factor: t.factor,
  until: new Date(t.until).toISOString(),
  reason: t.reason,
  set_by: t.set_by,
  created_at: new Date(t.created_at).toISOString(),
});

function parse(tenantId: string, value: string | null, now: Date): ThrottleView | null {
  if (!value) return null;
  const stored = JSON.parse(value) as Omit<ThrottleView, 'tenant_id'>;
  return new Date(stored.until) > now ? { ...stored, tenant_id: tenantId } : null;
}

/**
 * Throttles of flooding tenants. Coordination (Redis, or memory) holds each one under a TTL, so it ends on its
 * own across the cluster; PostgreSQL keeps the record, answers while Redis is unreachable and puts the keys back
 * when the service starts (a memory coordination forgets them on restart).
 */
@Injectable()
export class TenantThrottles implements OnModuleInit {
  private readonly logger = new Logger(TenantThrottles.name);
  private cached: { at: number; throttles: Promise<ThrottleView[]> } | null = null;

  constructor(
    private readonly coordination: Coordination,
    private readonly records: ThrottleRecordStore,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      const now = this.clock.now();
      for (const record of await this.records.active(now)) {
        if (!(await this.coordination.get(throttleKey(record.tenant_id)))) await this.store(toView(record), now);
      }
    } catch (error) {
      this.logger.warn(`Throttles not restored into coordination: ${error instanceof Error ? error.message : error}`);
    }
  }

  async apply(request: ThrottleRequest): Promise<ThrottleView> {
    const until = new Date(request.now.getTime() + request.durationMinutes * 60_000);
    const record = await this.records.record({
      tenant_id: request.tenantId,
      factor: request.factor,
      until,
      reason: request.reason,
      set_by: request.actor,
      created_at: request.now,
      incident_id: request.incidentId ?? null,
    });
    const view = toView(record);
    await this.store(view, request.now);
    this.cached = null;
    return view;
  }

  /** Null when the tenant is not throttled. */
  async get(tenantId: string, now = this.clock.now()): Promise<ThrottleView | null> {
    try {
      return parse(tenantId, await this.coordination.get(throttleKey(tenantId)), now);
    } catch {
      const [record] = await this.records.active(now, [tenantId]);
      return record ? toView(record) : null;
    }
  }

  /** Soonest end first. Only what coordination still holds (a lifted or expired key is no throttle), or the record without Redis. */
  async list(now = this.clock.now(), tenants?: readonly string[]): Promise<ThrottleView[]> {
    const records = await this.records.active(now, tenants);
    const live: ThrottleView[] = [];
    for (const record of records) {
      const view = await this.get(record.tenant_id, now);
      if (view) live.push(view);
    }
    return live;
  }

  /**
   * For the POST /deliveries answer: the throttles of these tenants, from a list at most FOR_TENANTS_CACHE_MS old so
   * a busy ingest path costs no query per batch (this process's own changes show at once).
   */
  async forTenants(tenants: Iterable<string>): Promise<ThrottleView[]> {
    const now = this.clock.now();
    if (!this.cached || now.getTime() - this.cached.at > FOR_TENANTS_CACHE_MS || now.getTime() < this.cached.at) {
      this.cached = { at: now.getTime(), throttles: this.list(now) };
      this.cached.throttles.catch(() => (this.cached = null));
    }
    const wanted = new Set(tenants);
    return (await this.cached.throttles).filter((t) => wanted.has(t.tenant_id) && new Date(t.until) > now);
  }

  /** 1 when unthrottled: what the service's own sends for the tenant multiply their rate by. */
  async factorFor(tenantId: string, now = this.clock.now()): Promise<number> {
    try {
      return (await this.get(tenantId, now))?.factor ?? 1;
    } catch (error) {
      this.logger.warn(`Throttle of ${tenantId} unknown, sending unthrottled: ${error instanceof Error ? error.message : error}`);
      return 1;
    }
  }

  /** False when the tenant had no throttle. */
  async lift(tenantId: string, actor: string, now = this.clock.now()): Promise<boolean> {
    const [recorded, deleted] = await Promise.all([
      this.records.lift(tenantId, actor, now),
      this.coordination.delete(throttleKey(tenantId)),
    ]);
    this.cached = null;
    return recorded || deleted;
  }

  private async store(view: ThrottleView, now: Date): Promise<void> {
    const { tenant_id: tenantId, ...value } = view;
    const ttlMs = new Date(view.until).getTime() - now.getTime();
    if (ttlMs > 0) await this.coordination.set(throttleKey(tenantId), JSON.stringify(value), ttlMs);
  }
}
