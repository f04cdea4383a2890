import type { Severity } from '../rules/rules.types';

/**
 * failure_burst: failures well above the endpoint's own baseline. sustained_outage: the endpoint is
 * down whatever its baseline says (its last attempts all failed, or nearly all of the recent window).
 * traffic_spike: far more traffic than usual.
 */
export type IncidentKind = 'failure_burst' | 'sustained_outage' | 'traffic_spike';

/** What M3 reports for one tenant+endpoint whose recent window departs from its baseline. */
export interface Incident {
  tenant_id: string;
  endpoint: string;
  kind: IncidentKind;
  severity: Severity;
  /** Failures (failed + dead_letter) in the recent window. */
  failures: number;
  total_recent: number;
  total_baseline: number;
  failures_baseline: number;
  failure_rate: number;
  baseline_failure_rate: number;
  /**
   * Recent deliveries per minute over baseline deliveries per minute (1 = as usual). The baseline
   * is the baseline window minus the recent window, from the recent window in which the endpoint's
   * first baseline attempt falls. With no baseline traffic at all this is the recent count (recent
   * against nothing).
   */
  traffic_ratio: number;
  /** Triage label → count, over the recent window's failures (no label counts as `unknown`). */
  triage_distribution: Record<string, number>;
  most_common_error: string | null;
  detected_at: string;
}
