import { DataSource } from 'typeorm';
import { SqlAnomalyDetector } from '../../src/anomalies/sql-anomaly-detector.adapter';
import { DEFAULT_RULES } from '../../src/rules/rules.defaults';
import { StaticRulesSource } from '../../src/rules/rules.source';
import type { AutohealRules } from '../../src/rules/rules.types';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { clearDeliveries, openDataSource, seedDeliveries } from './seed-deliveries';

// Defaults: recent window 5 min, baseline window 60 min (baseline = the 55 min before the recent
// window), min_failures 5, min_failure_rate 0.2, baseline_multiplier 2, spike ratio 3 with ≥ 20
// recent deliveries, severity medium 10 / high 25 / critical 100.
const NOW = new Date('2025-01-23T12:00:00.000Z');
const A = 'https://a.example.com/hook';
const B = 'https://b.example.com/hook';
const C = 'https://c.example.com/hook';
const D = 'https://d.example.com/hook';

describe('SqlAnomalyDetector (PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let detector: SqlAnomalyDetector;

  const detectorWith = (rules: AutohealRules) => new SqlAnomalyDetector(dataSource, new StaticRulesSource(rules));
  const withDetection = (detection: Partial<AutohealRules['detection']>): AutohealRules => ({
    ...DEFAULT_RULES,
    detection: { ...DEFAULT_RULES.detection, ...detection },
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    detector = detectorWith(DEFAULT_RULES);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });
  beforeEach(() => clearDeliveries(dataSource));

  it('reports a failure burst with every field filled', async () => {
    await seedDeliveries(dataSource, NOW, [
      { minutesAgo: 6, spreadToMinutesAgo: 59, count: 108 },
      { minutesAgo: 30, count: 2, status: 'failed' },
      { minutesAgo: 1, count: 3 },
      {
        minutesAgo: 0.5,
        spreadToMinutesAgo: 4.5,
        count: 8,
        status: 'failed',
        triage: 'transient_endpoint_down',
        error: 'connect ECONNREFUSED',
      },
      { minutesAgo: 2, count: 2, status: 'dead_letter', triage: 'transient_endpoint_down', error: 'connect ECONNREFUSED' },
      { minutesAgo: 1, count: 3, status: 'failed', triage: 'rate_limited', error: '429 Too Many Requests' },
      { minutesAgo: 3, count: 1, status: 'failed', triage: null, error: 'socket hang up' },
    ]);

    expect(await detector.detect(NOW)).toEqual([
      {
        tenant_id: 'tenant-1',
        endpoint: A,
        kind: 'failure_burst',
        severity: 'medium',
        failures: 14,
        total_recent: 17,
        total_baseline: 110,
        failures_baseline: 2,
        failure_rate: 0.824,
        baseline_failure_rate: 0.018,
        traffic_ratio: 1.7, // (17 / 5 min) / (110 / 55 min)
        triage_distribution: { transient_endpoint_down: 10, rate_limited: 3, unknown: 1 },
        most_common_error: 'connect ECONNREFUSED',
        detected_at: NOW.toISOString(),
        // The only tenant with failures, at its usual traffic: dominant, not flooding.
        tenant_failure_share: 1,
        tenant_traffic_ratio: 1.7,
        flooding_tenant: null,
        // 10 of the 14 failures say "connect ECONNREFUSED" (case and spacing aside).
        error_signature: { signature: 'connect econnrefused', count: 10, sampled: 14, share: 0.714 },
      },
    ]);
  });

  it('needs min_failures failures in the recent window', async () => {
    await seedDeliveries(dataSource, NOW, [{ minutesAgo: 1, count: 4, status: 'failed', error: 'boom' }]);
    expect(await detector.detect(NOW)).toEqual([]);

    await seedDeliveries(dataSource, NOW, [{ minutesAgo: 2, count: 1, status: 'dead_letter', error: 'boom' }]);
    expect(await detector.detect(NOW)).toEqual([
      expect.objectContaining({ endpoint: A, kind: 'failure_burst', severity: 'low', failures: 5, failure_rate: 1 }),
    ]);
  });

  it('needs a failure rate of at least min_failure_rate', async () => {
    // 8 deliveries a minute throughout; 6 of the recent 40 fail (15 %).
    await seedDeliveries(dataSource, NOW, [
      { minutesAgo: 6, spreadToMinutesAgo: 59, count: 440 },
      { minutesAgo: 0.5, spreadToMinutesAgo: 4.5, count: 34 },
      { minutesAgo: 1, count: 6, status: 'failed' },
    ]);
    expect(await detector.detect(NOW)).toEqual([]);
  });

  it('does not report a chronically failing endpoint whose rate is not above baseline_multiplier × its baseline', async () => {
    // Baseline 50 % failures; recent 10 of 15 (67 %) fail: many failures, but not twice the usual.
    await seedDeliveries(dataSource, NOW, [
      { minutesAgo: 6, spreadToMinutesAgo: 59, count: 55 },
      { minutesAgo: 6, spreadToMinutesAgo: 59, count: 55, status: 'failed', error: 'HTTP 500' },
      { minutesAgo: 1, count: 5 },
      { minutesAgo: 1, count: 10, status: 'failed', error: 'HTTP 500' },
    ]);
    expect(await detector.detect(NOW)).toEqual([]);
  });

  it('reports a traffic spike against the baseline rate, and an empty baseline only past the min-deliveries bar', async () => {
    await seedDeliveries(dataSource, NOW, [
      // A: 1/min usual, 5/min now → spike ×5.
      { target: A, minutesAgo: 6, spreadToMinutesAgo: 60, count: 55 },
      { target: A, minutesAgo: 0.5, spreadToMinutesAgo: 4.5, count: 25 },
      // B: 2/min usual, 5/min now → ×2.5, below the ratio.
      { target: B, minutesAgo: 6, spreadToMinutesAgo: 59, count: 110 },
      { target: B, minutesAgo: 0.5, spreadToMinutesAgo: 4.5, count: 25 },
      // C: no baseline, 19 recent: below traffic_spike_min_deliveries.
      { target: C, minutesAgo: 1, count: 19 },
      // D: no baseline, 20 recent (3 failed, too few for a burst): a spike.
      { target: D, minutesAgo: 1, count: 17 },
      { target: D, minutesAgo: 2, count: 3, status: 'failed', triage: 'transient_endpoint_down', error: 'timeout' },
    ]);

    expect(await detector.detect(NOW)).toEqual([
      {
        tenant_id: 'tenant-1',
        endpoint: D,
        kind: 'traffic_spike',
        severity: 'low',
        failures: 3,
        total_recent: 20,
        total_baseline: 0,
        failures_baseline: 0,
        failure_rate: 0.15,
        baseline_failure_rate: 0,
        traffic_ratio: 20,
        triage_distribution: { transient_endpoint_down: 3 },
        most_common_error: 'timeout',
        detected_at: NOW.toISOString(),
        // Only 3 failures: below min_failures, so no tenant dominates failures.
        tenant_failure_share: 1,
        tenant_traffic_ratio: 5.93,
        flooding_tenant: null,
        error_signature: { signature: 'timeout', count: 3, sampled: 3, share: 1 },
      },
      {
        tenant_id: 'tenant-1',
        endpoint: A,
        kind: 'traffic_spike',
        severity: 'low',
        failures: 0,
        total_recent: 25,
        total_baseline: 55,
        failures_baseline: 0,
        failure_rate: 0,
        baseline_failure_rate: 0,
        traffic_ratio: 5,
        triage_distribution: {},
        most_common_error: null,
        detected_at: NOW.toISOString(),
        tenant_failure_share: 1,
        tenant_traffic_ratio: 5.93,
        flooding_tenant: null,
      },
    ]);
  });

  it('grades severity by failures and orders by severity, then failures', async () => {
    const burst = (target: string, count: number) => ({ target, minutesAgo: 1, count, status: 'failed' as const, error: 'down' });
    await seedDeliveries(dataSource, NOW, [
      burst('https://low.example.com', 5),
      burst('https://medium.example.com', 10),
      burst('https://high.example.com', 25),
      burst('https://critical.example.com', 100),
      burst('https://high-too.example.com', 30),
      { target: 'https://spike.example.com', minutesAgo: 1, count: 20 },
    ]);

    const incidents = await detector.detect(NOW);
    expect(incidents.map((i) => [i.endpoint, i.kind, i.severity, i.failures])).toEqual([
      ['https://critical.example.com', 'failure_burst', 'critical', 100],
      ['https://high-too.example.com', 'failure_burst', 'high', 30],
      ['https://high.example.com', 'failure_burst', 'high', 25],
      ['https://medium.example.com', 'failure_burst', 'medium', 10],
      ['https://low.example.com', 'failure_burst', 'low', 5],
      ['https://spike.example.com', 'traffic_spike', 'low', 0],
    ]);
  });

  it('reads its thresholds from the RulesSource', async () => {
    await seedDeliveries(dataSource, NOW, [{ minutesAgo: 1, count: 4, status: 'failed', error: 'down' }]);
    expect(await detector.detect(NOW)).toEqual([]);

    const strict = detectorWith(withDetection({ min_failures: 2, severity_thresholds: { medium: 2, high: 4, critical: 50 } }));
    expect(await strict.detect(NOW)).toEqual([expect.objectContaining({ failures: 4, severity: 'high' })]);

    // A 10-minute recent window sees failures the 5-minute one does not.
    await seedDeliveries(dataSource, NOW, [{ minutesAgo: 8, count: 3, status: 'failed', error: 'down' }]);
    const wider = detectorWith(withDetection({ recent_window_minutes: 10 }));
    expect(await wider.detect(NOW)).toEqual([expect.objectContaining({ failures: 7, total_recent: 7 })]);
  });

  it('counts the triage distribution over recent failures only and picks the most frequent error', async () => {
    await seedDeliveries(dataSource, NOW, [
      // Older failures (baseline) with another label and error do not count.
      { minutesAgo: 20, count: 1, status: 'failed', triage: 'permanent_4xx', error: 'HTTP 404' },
      { minutesAgo: 6, spreadToMinutesAgo: 59, count: 60 },
      { minutesAgo: 1, count: 4, status: 'failed', triage: 'rate_limited', error: '429 Too Many Requests' },
      { minutesAgo: 2, count: 3, status: 'failed', triage: 'transient_endpoint_down', error: 'connect ETIMEDOUT' },
      { minutesAgo: 3, count: 2, status: 'dead_letter', triage: 'transient_endpoint_down', error: 'connect ETIMEDOUT' },
      { minutesAgo: 1, count: 1, status: 'failed', triage: 'invalid_payload', error: null },
      // Delivered rows carry no failure label into the distribution.
      { minutesAgo: 1, count: 2, triage: 'unknown' },
    ]);

    const [incident] = await detector.detect(NOW);
    expect(incident.triage_distribution).toEqual({ rate_limited: 4, transient_endpoint_down: 5, invalid_payload: 1 });
    expect(incident.most_common_error).toBe('connect ETIMEDOUT');
    expect(incident.failures).toBe(10);
  });

  it('keeps two tenants on the same endpoint apart', async () => {
    await seedDeliveries(dataSource, NOW, [
      { tenant: 'tenant-1', minutesAgo: 1, count: 6, status: 'failed', triage: 'transient_endpoint_down', error: 'ECONNRESET' },
      { tenant: 'tenant-2', minutesAgo: 1, count: 8, status: 'failed', triage: 'rate_limited', error: 'HTTP 429' },
      // tenant-3 fails there as usual: its history must not be mixed into the others', nor theirs into its.
      // Failing all hour, it is a sustained outage of its own (not a burst), with only its own counts.
      { tenant: 'tenant-3', minutesAgo: 6, spreadToMinutesAgo: 59, count: 40, status: 'failed', error: 'HTTP 500' },
      { tenant: 'tenant-3', minutesAgo: 1, count: 6, status: 'failed', error: 'HTTP 500' },
    ]);

    expect(await detector.detect(NOW)).toEqual([
      expect.objectContaining({
        tenant_id: 'tenant-2',
        endpoint: A,
        failures: 8,
        total_recent: 8,
        total_baseline: 0,
        triage_distribution: { rate_limited: 8 },
        most_common_error: 'HTTP 429',
      }),
      expect.objectContaining({
        tenant_id: 'tenant-1',
        endpoint: A,
        failures: 6,
        total_recent: 6,
        total_baseline: 0,
        triage_distribution: { transient_endpoint_down: 6 },
        most_common_error: 'ECONNRESET',
      }),
      expect.objectContaining({
        tenant_id: 'tenant-3',
        endpoint: A,
        kind: 'sustained_outage',
        failures: 6,
        total_recent: 6,
        total_baseline: 40,
        failures_baseline: 40,
        triage_distribution: { unknown: 6 },
        most_common_error: 'HTTP 500',
      }),
    ]);
  });

  it('ignores rows outside [now − 60 min, now]', async () => {
    await seedDeliveries(dataSource, NOW, [
      { minutesAgo: 0.5, spreadToMinutesAgo: 4, count: 6, status: 'failed', error: 'down' },
      { minutesAgo: 1, count: 3 },
      { minutesAgo: 5, count: 1 }, // the recent window's first instant
      { minutesAgo: 60, count: 1 }, // the baseline's first instant
      { minutesAgo: 60 + 1 / 60, count: 1 }, // one second too old
      // Had these counted, the baseline rate would hide the burst and the recent counts would differ.
      { minutesAgo: 61, spreadToMinutesAgo: 300, count: 200, status: 'failed', error: 'old' },
      { minutesAgo: -10, spreadToMinutesAgo: -0.1, count: 50, status: 'failed', error: 'future' },
    ]);

    expect(await detector.detect(NOW)).toEqual([
      expect.objectContaining({
        kind: 'failure_burst',
        failures: 6,
        total_recent: 10,
        total_baseline: 1,
        failures_baseline: 0,
        most_common_error: 'down',
      }),
    ]);
  });

  it('names the most common error by its HTTP status when the dispatcher sent no error text', async () => {
    await seedDeliveries(dataSource, NOW, [{ minutesAgo: 0.5, spreadToMinutesAgo: 4, count: 7, status: 'failed', error: null }]);
    expect(await detector.detect(NOW)).toEqual([expect.objectContaining({ failures: 7, most_common_error: 'HTTP 503' })]);
  });
});
