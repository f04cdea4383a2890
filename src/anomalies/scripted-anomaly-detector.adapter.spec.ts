import { buildIncident, ScriptedAnomalyDetector } from './scripted-anomaly-detector.adapter';

describe('ScriptedAnomalyDetector', () => {
  const now = new Date('2025-01-23T12:00:00Z');

  it('returns what it was given, as given, and records when it was asked', async () => {
    const a = buildIncident({ endpoint: 'https://a', severity: 'low' });
    const b = buildIncident({ endpoint: 'https://b', severity: 'critical' });
    const detector = new ScriptedAnomalyDetector([a, b]);

    await expect(detector.detect(now)).resolves.toEqual([a, b]);
    expect(detector.calls).toEqual([now]);
  });

  it('plays a script one answer per call, then repeats the last', async () => {
    const detector = new ScriptedAnomalyDetector();
    const first = [buildIncident({ endpoint: 'https://first' })];
    detector.script(first, []);

    await expect(detector.detect(now)).resolves.toEqual(first);
    await expect(detector.detect(now)).resolves.toEqual([]);
    await expect(detector.detect(now)).resolves.toEqual([]);
  });

  it('hands out copies, so a caller cannot edit the script', async () => {
    const detector = new ScriptedAnomalyDetector([buildIncident()]);
    const [got] = await detector.detect(now);
    got.triage_distribution.unknown = 99;
    got.failures = 0;
    const [again] = await detector.detect(now);
    expect(again.failures).toBe(12);
    expect(again.triage_distribution).toEqual({ transient_endpoint_down: 12 });
  });

  describe('outageSignals', () => {
    // What the SQL detector reports 3 min, 30 min and 2 h into an all-failure outage (no healthy history).
    const young = buildIncident({ endpoint: 'https://3min', kind: 'failure_burst', failures: 18, total_recent: 18, total_baseline: 0 });
    const thirty = buildIncident({ endpoint: 'https://30min', kind: 'sustained_outage', failures: 30, failures_baseline: 150 });
    const twoHours = buildIncident({ tenant_id: 'tenant-2', endpoint: 'https://2h', kind: 'sustained_outage', severity: 'high' });
    const spike = buildIncident({ endpoint: 'https://spike', kind: 'traffic_spike', severity: 'low', failures: 0 });
    const ask = (...refs: Array<[string, string]>) => refs.map(([tenantId, endpoint]) => ({ tenantId, endpoint }));

    it("answers the bursts and sustained outages of the endpoints asked about, in the script's order", async () => {
      const detector = new ScriptedAnomalyDetector([twoHours, young, spike, thirty]);
      const endpoints = ask(
        ['tenant-1', 'https://30min'],
        ['tenant-1', 'https://3min'],
        ['tenant-1', 'https://spike'],
        ['tenant-2', 'https://2h'],
      );
      expect(await detector.outageSignals(endpoints, now)).toEqual([twoHours, young, thirty]);
      expect(detector.signalCalls).toEqual([{ endpoints, now }]);
    });

    it('matches tenant and endpoint together, and answers one endpoint through outageSignal', async () => {
      const detector = new ScriptedAnomalyDetector([twoHours, spike]);
      expect(await detector.outageSignals(ask(['tenant-1', 'https://2h']), now)).toEqual([]);
      await expect(detector.outageSignal('tenant-2', 'https://2h', now)).resolves.toEqual(twoHours);
      await expect(detector.outageSignal('tenant-1', 'https://spike', now)).resolves.toBeNull();
    });

    it('answers from the answer detect would give next, without using it up', async () => {
      const detector = new ScriptedAnomalyDetector();
      detector.script([thirty], []);
      await expect(detector.outageSignal('tenant-1', 'https://30min', now)).resolves.toEqual(thirty);
      await expect(detector.detect(now)).resolves.toEqual([thirty]);
      await expect(detector.outageSignal('tenant-1', 'https://30min', now)).resolves.toBeNull();
    });

    it('hands out copies', async () => {
      const detector = new ScriptedAnomalyDetector([thirty]);
      const [got] = await detector.outageSignals(ask(['tenant-1', 'https://30min']), now);
      got.triage_distribution.unknown = 5;
      expect((await detector.detect(now))[0].triage_distribution).toEqual({ transient_endpoint_down: 12 });
    });
  });
});
