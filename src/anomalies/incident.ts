import type { ErrorSignatureShare } from '../common/error-signature';
import type { Severity } from '../rules/rules.types';

/**
 * failure_burst: failures well above the endpoint's own baseline. sustained_outage: the endpoint is
 * down whatever its baseline says (its last attempts all failed, or nearly all of the recent window).
 * traffic_spike: far more traffic than usual.
 */
export type IncidentKind = 'failure_burst' | 'sustained_outage' | 'traffic_spike';

export interface Incident {
  tenant_id: string;
  endpoint: string;
  kind: IncidentKind;
  severity: Severity;
  /** failed + dead_letter. */
  failures: number;
  total_recent: number;
  total_baseline: number;
  failures_baseline: number;
  failure_rate: number;
  baseline_failure_rate: number;
  /** Recent over baseline deliveries per minute (1 = as usual); with no baseline traffic, the recent count. */
  traffic_ratio: number;
  /** A failure without a label counts as `unknown`. */
  triage_distribution: Record<string, number>;
  most_common_error: string | null;
  detected_at: string;
  /** The tenant's share of all failures in the recent window, over every tenant (0..1). */
  tenant_failure_share?: number;
  /** The tenant's deliveries per minute, recent over baseline, over all its endpoints; null without baseline traffic. */
  tenant_traffic_ratio?: number | null;
  /** Named when the tenant floods: share above detection.dominance_ratio and traffic ≥ detection.flood_traffic_ratio. */
  flooding_tenant?: string | null;
  /** The error signature most of the recent failures share (SILENCE_DUPES), over up to 500 of the newest. */
  error_signature?: ErrorSignatureShare | null;
}
