export interface TenantThrottle {
  tenant_id: string;
  /** Multiplies the tenant's delivery rate: 0.5 halves it. */
  factor: number;
  until: Date;
  reason: string | null;
  set_by: string;
  created_at: Date;
  incident_id: string | null;
}

export interface ThrottleRecord extends TenantThrottle {
  id: string;
  lifted_at: Date | null;
  lifted_by: string | null;
}

/** The record of every throttle, kept in PostgreSQL after its coordination key has expired. */
export abstract class ThrottleRecordStore {
  /** A new throttle of a tenant supersedes its active one (lifted by `superseded`), in one transaction. */
  abstract record(throttle: TenantThrottle): Promise<ThrottleRecord>;
  /** Ends the tenant's active throttle; false when it had none. */
  abstract lift(tenantId: string, by: string, at: Date): Promise<boolean>;
  /** Not lifted and not over, soonest end first; `tenants` narrows it. */
  abstract active(now: Date, tenants?: readonly string[]): Promise<ThrottleRecord[]>;
}
