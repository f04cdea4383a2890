import { DEFAULT_RULES } from '../rules/rules.defaults';
import { buildIncident } from './scripted-anomaly-detector.adapter';
import { compareIncidents, roundTo, severityFor } from './incident-severity';

const thresholds = DEFAULT_RULES.detection.severity_thresholds; // medium 10, high 25, critical 100

describe('severityFor', () => {
  it.each([
    [0, 'low'],
    [9, 'low'],
    [10, 'medium'],
    [24, 'medium'],
    [25, 'high'],
    [99, 'high'],
    [100, 'critical'],
    [5000, 'critical'],
  ])('%i failures → %s', (failures, severity) => {
    expect(severityFor(failures, thresholds)).toBe(severity);
  });
});

describe('compareIncidents', () => {
  it('orders by severity, then failures descending, then tenant and endpoint', () => {
    const incidents = [
      buildIncident({ tenant_id: 't1', endpoint: 'https://a', severity: 'low', failures: 50 }),
      buildIncident({ tenant_id: 't1', endpoint: 'https://b', severity: 'critical', failures: 100 }),
      buildIncident({ tenant_id: 't2', endpoint: 'https://c', severity: 'medium', failures: 12 }),
      buildIncident({ tenant_id: 't1', endpoint: 'https://d', severity: 'medium', failures: 20 }),
      buildIncident({ tenant_id: 't0', endpoint: 'https://e', severity: 'medium', failures: 12 }),
    ];
    expect(incidents.sort(compareIncidents).map((i) => i.endpoint)).toEqual([
      'https://b',
      'https://d',
      'https://e',
      'https://c',
      'https://a',
    ]);
  });
});

describe('roundTo', () => {
  it('rounds to the given decimals', () => {
    expect(roundTo(2 / 3, 3)).toBe(0.667);
    expect(roundTo(12 / 11, 2)).toBe(1.09);
  });
});
