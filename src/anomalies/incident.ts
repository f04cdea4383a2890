import type { Severity } from '../rules/rules.types';

export type IncidentKind = 'failure_burst' | 'traffic_spike';

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
   * is the baseline window minus the recent window. With no baseline traffic at all this is the
   * recent count (recent against nothing).
   */
  traffic_ratio: number;
  /** Triage label → count, over the recent window's failures (no label counts as `unknown`). */
  triage_distribution: Record<string, number>;
  most_common_error: string | null;
  detected_at: string;
}
