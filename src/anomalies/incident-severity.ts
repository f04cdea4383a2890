import { SEVERITIES, type DetectionRules, type Severity } from '../rules/rules.types';
import type { Incident } from './incident';

export function severityFor(failures: number, thresholds: DetectionRules['severity_thresholds']): Severity {
  if (failures >= thresholds.critical) return 'critical';
  if (failures >= thresholds.high) return 'high';
  if (failures >= thresholds.medium) return 'medium';
  return 'low';
}

/** Critical first, then the most failures; tenant and endpoint break ties so the order is stable. */
export function compareIncidents(a: Incident, b: Incident): number {
  return (
    SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) ||
    b.failures - a.failures ||
    a.tenant_id.localeCompare(b.tenant_id) ||
    a.endpoint.localeCompare(b.endpoint)
  );
}

export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
