import type { ThrottleView } from '../tenant-throttles.service';

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
