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
});
