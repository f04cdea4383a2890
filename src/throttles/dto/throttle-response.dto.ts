import type { ThrottleView } from '../tenant-throttles.service';
import type { TenantThrottleState, ThrottleList } from '../throttles.controller';

// Response models for the OpenAPI document; `implements` keeps them in step with what the service returns.

export class ThrottleDto implements ThrottleView {
  tenant_id: string;
  /** The share of its usual delivery rate the tenant should send at, 0 < factor ≤ 1 (1: not throttled). */
  factor: number;
  /** When the throttle ends (ISO 8601). */
  until: string;
  reason: string | null;
  set_by: string;
  created_at: string;
}

export class ThrottleListDto implements ThrottleList {
  throttles: ThrottleDto[];
}

/** A tenant's throttle, or `{tenant_id, factor: 1, until: null, reason: null}` when it is not throttled. */
export class TenantThrottleDto implements TenantThrottleState {
  tenant_id: string;
  /** The share of its usual delivery rate the tenant should send at, 0 < factor ≤ 1 (1: not throttled). */
  factor: number;
  /** When the throttle ends (ISO 8601); null: not throttled. */
  until: string | null;
  reason: string | null;
  /** Only while throttled. */
  set_by?: string;
  /** Only while throttled (ISO 8601). */
  created_at?: string;
}
