import { buildIncident, ScriptedAnomalyDetector } from '../anomalies/scripted-anomaly-detector.adapter';
import { ManualClock } from '../clock/clock';
import type { EndpointRef } from '../common/endpoint-key';
import type { DeliveryOutcome } from '../deliveries/delivery-store.port';
import { MemoryDeliveryStore } from '../deliveries/memory-delivery-store.adapter';
import { MemoryIncidentStore } from '../incidents/memory-incident-store.adapter';
import { StaticRulesSource } from '../rules/rules.source';
import { validateRules } from '../rules/rules.validation';
import { OutageTrigger } from './outage-trigger.service';

/** Holds every outage query until released, so a test can pile batches up behind one in flight. */
class GatedDetector extends ScriptedAnomalyDetector {
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;

  hold(): void {
    this.gate = new Promise<void>((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = null;
  }

  override async outageSignals(endpoints: readonly EndpointRef[], now: Date) {
    const answer = await super.outageSignals(endpoints, now);
    if (this.gate) await this.gate;
    return answer;
  }
}

const failure = (n: number, tenant = 'acme'): DeliveryOutcome => ({
  id: `d-${tenant}-${n}`,
  tenant_id: tenant,
  target: `https://hooks.${tenant}.example.com/${n % 3}`,
  status: n % 2 === 0 ? 'failed' : 'dead_letter',
  http_status: 503,
});
const delivered = (n: number): DeliveryOutcome => ({ ...failure(n), id: `ok-${n}`, status: 'delivered', http_status: 200 });

// A 0.2 s probe interval spaces checks 50 ms apart.
const RULES = new StaticRulesSource(validateRules({ strategy_limits: { RECOVER_BACKLOG: { probe_interval_seconds: 0.2 } } }));

describe('OutageTrigger', () => {
  const clock = new ManualClock(new Date('2026-12-01T12:00:00Z'));
  let detector: GatedDetector;
  let incidents: MemoryIncidentStore;
  let trigger: OutageTrigger;

  beforeEach(() => {
    detector = new GatedDetector();
    incidents = new MemoryIncidentStore();
    trigger = new OutageTrigger(detector, new MemoryDeliveryStore(clock), incidents, RULES, clock);
  });

  it('judges the failures of batches that arrive during a check together, in one more check', async () => {
    detector.hold();
    trigger.afterIngest([failure(0), delivered(1)]);
    for (let batch = 1; batch <= 5; batch++) trigger.afterIngest([failure(batch), failure(batch + 10, 'globex')]);
    expect(detector.signalCalls).toHaveLength(1);
    detector.release();
    await trigger.settled();

    expect(detector.signalCalls).toHaveLength(2);
    expect(detector.signalCalls[0].endpoints).toEqual([{ tenantId: 'acme', endpoint: 'https://hooks.acme.example.com/0' }]);
    const second = detector.signalCalls[1].endpoints.map((e) => `${e.tenantId} ${e.endpoint}`).sort();
    expect(second).toEqual([
      'acme https://hooks.acme.example.com/0',
      'acme https://hooks.acme.example.com/1',
      'acme https://hooks.acme.example.com/2',
      'globex https://hooks.globex.example.com/0',
      'globex https://hooks.globex.example.com/1',
      'globex https://hooks.globex.example.com/2',
    ]);
  });

  it('opens the incident of an endpoint that crossed the signal while another check was in flight', async () => {
    const endpoint = 'https://hooks.globex.example.com/2';
    detector.set([buildIncident({ tenant_id: 'globex', endpoint, kind: 'sustained_outage', failures: 12 })]);
    detector.hold();
    trigger.afterIngest([failure(0)]);
    trigger.afterIngest([failure(11, 'globex')]);
    detector.release();
    await trigger.settled();

    const open = await incidents.active();
    expect(open.map((incident) => [incident.tenant_id, incident.endpoint])).toEqual([['globex', endpoint]]);
  });

  it('runs no check for a batch without failures', async () => {
    trigger.afterIngest([delivered(1), delivered(2)]);
    await trigger.settled();
    expect(detector.signalCalls).toHaveLength(0);
  });

  it('keeps judging after a check failed', async () => {
    const failing = new (class extends ScriptedAnomalyDetector {
      failures = 1;
      override async outageSignals(endpoints: readonly EndpointRef[], now: Date) {
        if (this.failures-- > 0) throw new Error('database gone');
        return super.outageSignals(endpoints, now);
      }
    })();
    const survivor = new OutageTrigger(failing, new MemoryDeliveryStore(clock), incidents, RULES, clock);
    survivor.afterIngest([failure(0)]);
    await survivor.settled();
    survivor.afterIngest([failure(1)]);
    await survivor.settled();
    expect(failing.signalCalls.map((call) => call.endpoints[0].endpoint)).toEqual(['https://hooks.acme.example.com/1']);
  });
});
