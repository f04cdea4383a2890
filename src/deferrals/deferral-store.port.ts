export interface Deferral {
  tenant_id: string;
  endpoint: string;
  deferrals: number;
  first_deferred_at: Date;
  last_deferred_at: Date;
  recheck_at: Date;
  notified_at: Date | null;
  status: 'active' | 'cleared' | 'escalated';
}

/** A run of deferrals ends when the incident clears, is healed or escalated; the next then counts from 1. */
export abstract class DeferralStore {
  /** Keyed by endpointKey(tenant, endpoint). */
  abstract active(): Promise<Map<string, Deferral>>;
  abstract record(tenantId: string, endpoint: string, now: Date, recheckAt: Date): Promise<Deferral>;
  abstract markNotified(tenantId: string, endpoint: string, now: Date): Promise<void>;
  /** `cleared`: recovered or healed. */
  abstract close(tenantId: string, endpoint: string, status: 'cleared' | 'escalated'): Promise<void>;
  /** An incident not deferred again waits a full delay, instead of making the scheduler run a cycle on every poll. */
  abstract postponeDue(now: Date, until: Date): Promise<void>;
  abstract nextRecheckAt(): Promise<Date | null>;
}
