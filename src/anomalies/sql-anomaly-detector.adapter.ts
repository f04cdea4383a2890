import { DataSource } from 'typeorm';
import { endpointKey, type EndpointRef } from '../common/endpoint-key';
import { RulesSource } from '../rules/rules.source';
import type { DetectionRules } from '../rules/rules.types';
import { AnomalyDetector } from './anomaly-detector.port';
import {
  buildDetectionQuery,
  buildMostCommonErrorQuery,
  buildOutageSignalQuery,
  buildRecentTriageQuery,
  detectionWindows,
  type DetectionRow,
} from './anomaly-detection.query';
import type { Incident } from './incident';
import { compareIncidents, roundTo, severityFor } from './incident-severity';

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
    return this.toIncidents(rows, now, detection);
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

  private async toIncidents(rows: DetectionRow[], now: Date, detection: DetectionRules): Promise<Incident[]> {
    if (rows.length === 0) return [];
    const errors = await this.mostCommonErrors(rows, now, detection);
    return rows
      .map((row) => toIncident(row, errors.get(endpointKey(row.tenant_id, row.target)) ?? null, now, detection))
      .sort(compareIncidents);
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
  };
}
