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

/**
 * Consecutive deferrals of one tenant+endpoint incident. A run of deferrals ends when the
 * incident clears, or is healed or escalated; the next deferral then starts counting at 1.
 */
export abstract class DeferralStore {
  /** Active runs, keyed by endpointKey(tenant, endpoint). */
  abstract active(): Promise<Map<string, Deferral>>;
  /** One more deferral: continues an active run, or starts a new one (count 1, not notified). */
  abstract record(tenantId: string, endpoint: string, now: Date, recheckAt: Date): Promise<Deferral>;
  abstract markNotified(tenantId: string, endpoint: string, now: Date): Promise<void>;
  /** Ends a run of deferrals: `cleared` (recovered or healed) or `escalated`. */
  abstract close(tenantId: string, endpoint: string, status: 'cleared' | 'escalated'): Promise<void>;
  /**
   * After a live cycle has looked at every incident, no recheck is due any more: one that was
   * not deferred again (skipped, or handled otherwise) waits a full delay, instead of making the
   * scheduler run a cycle on every poll.
   */
  abstract postponeDue(now: Date, until: Date): Promise<void>;
  /** The earliest pending recheck, for the scheduler. */
  abstract nextRecheckAt(): Promise<Date | null>;
}
