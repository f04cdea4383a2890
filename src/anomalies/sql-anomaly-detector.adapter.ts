import { DataSource } from 'typeorm';
import { endpointKey, type EndpointRef } from '../common/endpoint-key';
import { RulesSource } from '../rules/rules.source';
import type { DetectionRules } from '../rules/rules.types';
import { AnomalyDetector } from './anomaly-detector.port';
import {
  buildDetectionQuery,
  buildMostCommonErrorQuery,
  buildOutageSignalQuery,
  buildRecentErrorsQuery,
  buildRecentTriageQuery,
  detectionWindows,
  type DetectionRow,
} from './anomaly-detection.query';
import type { Incident } from './incident';
import { compareIncidents, roundTo, severityFor } from './incident-severity';
import { dominantSignature, type ErrorSignatureShare } from '../common/error-signature';

type EndpointRow = { tenant_id: string; target: string };

export class SqlAnomalyDetector extends AnomalyDetector {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: RulesSource,
  ) {
    super();
  }

  async detect(now: Date): Promise<Incident[]> {
    const detection = this.rules.current().detection;
    const main = buildDetectionQuery(now, detection);
    const rows: DetectionRow[] = await this.dataSource.query(main.text, main.values);
    return this.toIncidents(rows, now, detection, true);
  }

  async outageSignals(endpoints: readonly EndpointRef[], now: Date): Promise<Incident[]> {
    if (endpoints.length === 0) return [];
    const detection = this.rules.current().detection;
    const signal = buildOutageSignalQuery(endpoints, now, detection);
    const rows: Array<Omit<DetectionRow, 'triage_distribution'>> = await this.dataSource.query(signal.text, signal.values);
    if (rows.length === 0) return [];

    const triage = buildRecentTriageQuery(rows, now, detection);
    const found: Array<EndpointRow & { triage_distribution: Record<string, number> }> = await this.dataSource.query(
      triage.text,
      triage.values,
    );
    const distributions = new Map(found.map((r) => [endpointKey(r.tenant_id, r.target), r.triage_distribution]));
    return this.toIncidents(
      rows.map((row) => ({ ...row, triage_distribution: distributions.get(endpointKey(row.tenant_id, row.target)) ?? {} })),
      now,
      detection,
    );
  }

  /** `cycle`: what only a healing cycle reads (error signatures); the ingest path's outage signal goes without. */
  private async toIncidents(rows: DetectionRow[], now: Date, detection: DetectionRules, cycle = false): Promise<Incident[]> {
    if (rows.length === 0) return [];
    const [errors, signatures] = await Promise.all([
      this.mostCommonErrors(rows, now, detection),
      cycle ? this.signatures(rows, now, detection) : new Map<string, ErrorSignatureShare | null>(),
    ]);
    return rows
      .map((row) => {
        const key = endpointKey(row.tenant_id, row.target);
        const incident = toIncident(row, errors.get(key) ?? null, now, detection);
        return signatures.has(key) ? { ...incident, error_signature: signatures.get(key) ?? null } : incident;
      })
      .sort(compareIncidents);
  }

  private async signatures(rows: DetectionRow[], now: Date, detection: DetectionRules): Promise<Map<string, ErrorSignatureShare | null>> {
    const failing = rows.filter((row) => row.failures > 0);
    if (failing.length === 0) return new Map();
    const query = buildRecentErrorsQuery(failing, now, detection);
    const found: Array<EndpointRow & { errors: string[] | null }> = await this.dataSource.query(query.text, query.values);
    return new Map(found.map((r) => [endpointKey(r.tenant_id, r.target), dominantSignature(r.errors ?? [])]));
  }

  private async mostCommonErrors(rows: DetectionRow[], now: Date, detection: DetectionRules): Promise<Map<string, string>> {
    const failing = rows.filter((row) => row.failures > 0);
    if (failing.length === 0) return new Map();
    const query = buildMostCommonErrorQuery(failing, now, detection);
    const found: Array<EndpointRow & { error: string }> = await this.dataSource.query(query.text, query.values);
    return new Map(found.map((r) => [endpointKey(r.tenant_id, r.target), r.error]));
  }
}

export function toIncident(row: DetectionRow, mostCommonError: string | null, now: Date, detection: DetectionRules): Incident {
  const w = detectionWindows(now, detection);
  const recentPerMinute = row.total_recent / w.recentMinutes;
  const baselinePerMinute = row.baseline_minutes > 0 ? row.total_baseline / row.baseline_minutes : 0;
  return {
    tenant_id: row.tenant_id,
    endpoint: row.target,
    kind: row.kind,
    severity: row.kind === 'traffic_spike' ? 'low' : severityFor(row.failures, detection.severity_thresholds),
    failures: row.failures,
    total_recent: row.total_recent,
    total_baseline: row.total_baseline,
    failures_baseline: row.failures_baseline,
    failure_rate: roundTo(row.failures / row.total_recent, 3),
    baseline_failure_rate: row.total_baseline > 0 ? roundTo(row.failures_baseline / row.total_baseline, 3) : 0,
    // No baseline traffic: the ratio is "recent against nothing"; report the recent count (see Incident).
    traffic_ratio: baselinePerMinute > 0 ? roundTo(recentPerMinute / baselinePerMinute, 2) : row.total_recent,
    triage_distribution: row.triage_distribution,
    most_common_error: mostCommonError,
    detected_at: now.toISOString(),
    ...tenantFlood(row, w, detection),
  };
}

/** Only the detection query counts per tenant; the outage signal (one endpoint at a time) cannot, and leaves them out. */
function tenantFlood(
  row: DetectionRow,
  w: { recentMinutes: number; baselineMinutes: number },
  detection: DetectionRules,
): Pick<Incident, 'tenant_failure_share' | 'tenant_traffic_ratio' | 'flooding_tenant'> {
  if (row.all_failures === undefined || row.tenant_failures === undefined) return {};
  const share = row.all_failures > 0 ? row.tenant_failures / row.all_failures : 0;
  const recent = row.tenant_recent ?? 0;
  const baseline = row.tenant_baseline ?? 0;
  // Without baseline traffic there is nothing to be 3× of: a new tenant's first burst is an outage, not a flood.
  const ratio = baseline > 0 && w.baselineMinutes > 0 ? recent / w.recentMinutes / (baseline / w.baselineMinutes) : null;
  // A tenant dominates failures only with a failure pattern of its own (min_failures), not a share of a handful,
  // and floods only with volume (flood_min_deliveries in the recent window), not with a small burst of retries.
  const floods =
    row.tenant_failures >= detection.min_failures &&
    recent >= detection.flood_min_deliveries &&
    share > detection.dominance_ratio &&
    ratio !== null &&
    ratio >= detection.flood_traffic_ratio;
  return {
    tenant_failure_share: roundTo(share, 3),
    tenant_traffic_ratio: ratio === null ? null : roundTo(ratio, 2),
    flooding_tenant: floods ? row.tenant_id : null,
  };
}
