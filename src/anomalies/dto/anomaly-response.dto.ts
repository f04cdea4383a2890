import type { Severity } from '../../rules/rules.types';
import type { CurrentAnomaliesResponse } from '../anomalies.controller';
import type { Incident, IncidentKind } from '../incident';

/** What a cycle would detect now for one tenant+endpoint (M3). */
export class AnomalyDto implements Incident {
  tenant_id: string;
  endpoint: string;
  kind: IncidentKind;
  severity: Severity;
  /** failed + dead_letter in the recent window. */
  failures: number;
  total_recent: number;
  total_baseline: number;
  failures_baseline: number;
  failure_rate: number;
  baseline_failure_rate: number;
  /** Recent over baseline deliveries per minute (1 = as usual). */
  traffic_ratio: number;
  /** Failures per triage label. */
  triage_distribution: Record<string, number>;
  most_common_error: string | null;
  detected_at: string;
}

export class CurrentAnomaliesDto implements CurrentAnomaliesResponse {
  detected_at: string;
  incidents: AnomalyDto[];
}
