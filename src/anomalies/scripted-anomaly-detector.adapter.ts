import type { EndpointRef } from '../common/endpoint-key';
import { OUTAGE_KINDS } from './anomaly-detection.query';
import { AnomalyDetector } from './anomaly-detector.port';
import type { Incident } from './incident';

/**
 * Real code for tests and what-if runs: `script(...)` queues one answer per call (the last repeats),
 * `set(...)` replaces all; `outageSignals` peeks at the next `detect` answer without using it up.
 */
export class ScriptedAnomalyDetector extends AnomalyDetector {
  readonly calls: Date[] = [];
  readonly signalCalls: Array<{ endpoints: EndpointRef[]; now: Date }> = [];
  private queue: Incident[][];

  constructor(incidents: Incident[] = []) {
    super();
    this.queue = [incidents];
  }

  set(incidents: Incident[]): void {
    this.queue = [incidents];
  }

  script(...answers: Incident[][]): void {
    this.queue = answers.length > 0 ? answers : [[]];
  }

  async detect(now: Date): Promise<Incident[]> {
    this.calls.push(new Date(now.getTime()));
    const answer = this.queue.length > 1 ? this.queue.shift()! : this.queue[0];
    return answer.map(copyOf);
  }

  async outageSignals(endpoints: readonly EndpointRef[], now: Date): Promise<Incident[]> {
    this.signalCalls.push({ endpoints: endpoints.map((e) => ({ ...e })), now: new Date(now.getTime()) });
    const asked = (incident: Incident) => endpoints.some((e) => e.tenantId === incident.tenant_id && e.endpoint === incident.endpoint);
    const outage = (incident: Incident) => (OUTAGE_KINDS as readonly string[]).includes(incident.kind);
    return this.queue[0].filter((incident) => asked(incident) && outage(incident)).map(copyOf);
  }
}

function copyOf(incident: Incident): Incident {
  return { ...incident, triage_distribution: { ...incident.triage_distribution } };
}

export function buildIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    tenant_id: 'tenant-1',
    endpoint: 'https://api.example.com/webhook',
    kind: 'failure_burst',
    severity: 'medium',
    failures: 12,
    total_recent: 15,
    total_baseline: 110,
    failures_baseline: 2,
    failure_rate: 0.8,
    baseline_failure_rate: 0.018,
    traffic_ratio: 1.5,
    triage_distribution: { transient_endpoint_down: 12 },
    most_common_error: 'connect ECONNREFUSED',
    detected_at: '2025-01-23T12:34:56.000Z',
    ...overrides,
  };
}
