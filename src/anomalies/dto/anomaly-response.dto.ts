import type { ErrorSignatureShare } from '../../common/error-signature';
import type { Severity } from '../../rules/rules.types';
import type { CurrentAnomaliesResponse } from '../anomalies.controller';
import type { Incident, IncidentKind } from '../incident';

/** The error signature most of an endpoint's recent failures share. */
export class ErrorSignatureShareDto implements ErrorSignatureShare {
  /** The error message with what varies between occurrences (ids, timestamps, addresses, numbers) replaced by placeholders. */
  signature: string;
  /** Failures with it, of `sampled`. */
  count: number;
  sampled: number;
  /** count / sampled, 0..1. */
  share: number;
}

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
  /** The tenant's share of all failures in the recent window, over every tenant (0..1). */
  tenant_failure_share?: number;
  /** The tenant's deliveries per minute, recent over baseline, over all its endpoints; null without baseline traffic. */
  tenant_traffic_ratio?: number | null;
  /** Named when the tenant floods: share above detection.dominance_ratio and traffic ≥ detection.flood_traffic_ratio. */
  flooding_tenant?: string | null;
  /** The error signature most of the recent failures share (SILENCE_DUPES), over up to 500 of the newest; null without messages. */
  error_signature?: ErrorSignatureShareDto | null;
}

export class CurrentAnomaliesDto implements CurrentAnomaliesResponse {
  detected_at: string;
  incidents: AnomalyDto[];
}
