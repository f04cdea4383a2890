import { DataSource } from 'typeorm';
import { SqlAnomalyDetector } from '../../src/anomalies/sql-anomaly-detector.adapter';
import { DEFAULT_RULES } from '../../src/rules/rules.defaults';
import { StaticRulesSource } from '../../src/rules/rules.source';
import type { AutohealRules } from '../../src/rules/rules.types';
import type { Incident } from '../../src/anomalies/incident';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { clearDeliveries, openDataSource, seedDeliveries, type DeliverySeed } from './seed-deliveries';

// Defaults: recent window 5 min, baseline window 60 min, min_failures 5, baseline_multiplier 2,
// sustained: the last 5 attempts failed, or >= 90 % of the recent window with >= 5 failures.
const NOW = new Date('2025-01-23T12:00:00.000Z');

/** What only the detection query measures (per tenant, across the window) and only a cycle reads (error signatures). */
const asSignal = (incident: Incident | undefined) => {
  if (!incident) return incident;
  const { tenant_failure_share: _s, tenant_traffic_ratio: _r, flooding_tenant: _f, error_signature: _e, ...signal } = incident;
  return signal;
};
const A = 'https://a.example.com/hook';
const B = 'https://b.example.com/hook';
const C = 'https://c.example.com/hook';
const PER_MINUTE = 6;

/** A receiver down for `minutes` up to now, one attempt every 10 s, each answered 503. */
function outage(minutes: number, target = A): DeliverySeed {
  return {
    target,
    minutesAgo: 0.1,
    spreadToMinutesAgo: minutes,
    count: Math.round(minutes * PER_MINUTE),
    status: 'failed',
    triage: 'transient_endpoint_down',
    error: 'HTTP 503',
  };
}

/** An hour of healthy traffic at the same rate, ending when the outage began. */
function healthyHourBefore(minutes: number, target = A): DeliverySeed {
  return { target, minutesAgo: minutes + 0.1, spreadToMinutesAgo: minutes + 60, count: 60 * PER_MINUTE };
}

describe('SqlAnomalyDetector: sustained outages and the traffic-time baseline (PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let detector: SqlAnomalyDetector;

  const withDetection = (detection: Partial<AutohealRules['detection']>) => {
    const rules: AutohealRules = { ...DEFAULT_RULES, detection: { ...DEFAULT_RULES.detection, ...detection } };
    return new SqlAnomalyDetector(dataSource, new StaticRulesSource(rules));
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    detector = new SqlAnomalyDetector(dataSource, new StaticRulesSource(DEFAULT_RULES));
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });
  beforeEach(() => clearDeliveries(dataSource));

  describe.each([
    // A young outage is a burst against any baseline; once the baseline is itself mostly failures,
    // "recent >= 2x baseline" cannot hold and only the sustained-outage rule still sees it.
    ['3 min', 3, false, 'failure_burst'],
    ['3 min', 3, true, 'failure_burst'],
    ['30 min', 30, false, 'sustained_outage'],
    ['30 min', 30, true, 'failure_burst'],
    ['2 h', 120, false, 'sustained_outage'],
    ['2 h', 120, true, 'sustained_outage'],
  ] as const)('%s of all-failure traffic (%i minutes; healthy hour before: %s)', (_name, minutes, history, kind) => {
    beforeEach(() => seedDeliveries(dataSource, NOW, history ? [outage(minutes), healthyHourBefore(minutes)] : [outage(minutes)]));

    it(`is detected as a ${kind}`, async () => {
      const [incident, ...others] = await detector.detect(NOW);
      expect(others).toEqual([]);
      expect(incident).toMatchObject({
        tenant_id: 'tenant-1',
        endpoint: A,
        kind,
        failures: Math.min(minutes, 5) * PER_MINUTE,
        triage_distribution: { transient_endpoint_down: Math.min(minutes, 5) * PER_MINUTE },
        most_common_error: 'HTTP 503',
      });
    });

    it('gives the same incident as the outage signal of its endpoint', async () => {
      const [detected] = await detector.detect(NOW);
      await expect(detector.outageSignal('tenant-1', A, NOW)).resolves.toEqual(asSignal(detected));
    });
  });

  it('sees a sustained outage in compressed time (every window / 60)', async () => {
    const compressed = withDetection({ recent_window_minutes: 5 / 60, baseline_window_minutes: 1 });
    // Two "hours" (2 real minutes) down, one attempt every 10 "seconds"; a healthy "hour" before.
    await seedDeliveries(dataSource, NOW, [
      { ...outage(2), minutesAgo: 0.1 / 60, count: 720 },
      { ...healthyHourBefore(2), minutesAgo: 2 + 0.1 / 60, spreadToMinutesAgo: 3, count: 360 },
    ]);
    expect(await compressed.detect(NOW)).toEqual([expect.objectContaining({ endpoint: A, kind: 'sustained_outage', failures: 30 })]);
  });

  it('is no longer an outage once the endpoint answers again', async () => {
    await seedDeliveries(dataSource, NOW, [
      { ...outage(120), minutesAgo: 2 },
      { minutesAgo: 0.1, spreadToMinutesAgo: 1.9, count: 12 },
    ]);
    expect(await detector.detect(NOW)).toEqual([]);
    await expect(detector.outageSignal('tenant-1', A, NOW)).resolves.toBeNull();
  });

  describe('the last N attempts', () => {
    // One attempt every 2 minutes: never min_failures failures in a 5-minute window.
    const sparse = (from: number, to: number, status: 'failed' | 'delivered'): DeliverySeed => ({
      minutesAgo: from,
      spreadToMinutesAgo: to,
      count: Math.round((to - from) / 2) + 1,
      status,
      triage: status === 'failed' ? 'transient_endpoint_down' : null,
      error: status === 'failed' ? 'connect ECONNREFUSED' : null,
    });

    it('all failed: a sustained outage, though the recent window holds fewer than min_failures', async () => {
      await seedDeliveries(dataSource, NOW, [sparse(30, 58, 'delivered'), sparse(0.5, 28.5, 'failed')]);
      expect(await detector.detect(NOW)).toEqual([
        expect.objectContaining({ endpoint: A, kind: 'sustained_outage', failures: 3, total_recent: 3, failure_rate: 1 }),
      ]);
    });

    it('counts only failures after the last delivered attempt', async () => {
      // Four failures since the last success (N = 5): not yet; the same run with N = 4 is.
      await seedDeliveries(dataSource, NOW, [sparse(8.5, 58.5, 'delivered'), sparse(0.5, 6.5, 'failed')]);
      expect(await detector.detect(NOW)).toEqual([]);
      expect(await withDetection({ sustained_last_attempts: 4 }).detect(NOW)).toEqual([
        expect.objectContaining({ kind: 'sustained_outage', failures: 3 }),
      ]);
    });

    it('is not a run when the latest attempt was delivered', async () => {
      await seedDeliveries(dataSource, NOW, [sparse(2.5, 58.5, 'failed'), sparse(0.5, 0.5, 'delivered')]);
      expect(await detector.detect(NOW)).toEqual([]);
    });
  });

  describe('the failure ratio of the recent window', () => {
    // A baseline that fails 90 % of the time hides any burst; successes are spread through the
    // recent window, so the last-N rule does not apply either: only the ratio decides.
    const chronic = (failed: number, delivered: number): DeliverySeed[] => [
      { minutesAgo: 6, spreadToMinutesAgo: 59, count: 90, status: 'failed', triage: 'rate_limited', error: 'HTTP 429' },
      { minutesAgo: 6.5, spreadToMinutesAgo: 58.5, count: 10 },
      { minutesAgo: 0.2, spreadToMinutesAgo: 4.8, count: failed, status: 'failed', triage: 'rate_limited', error: 'HTTP 429' },
      { minutesAgo: 0.1, spreadToMinutesAgo: 4.9, count: delivered },
    ];

    it('at 90 % is a sustained outage', async () => {
      await seedDeliveries(dataSource, NOW, chronic(18, 2));
      expect(await detector.detect(NOW)).toEqual([
        expect.objectContaining({
          kind: 'sustained_outage',
          failures: 18,
          total_recent: 20,
          failure_rate: 0.9,
          baseline_failure_rate: 0.9,
        }),
      ]);
    });

    it('below it is not, and sustained_failure_ratio is read from the rules', async () => {
      await seedDeliveries(dataSource, NOW, chronic(17, 3));
      expect(await detector.detect(NOW)).toEqual([]);
      expect(await withDetection({ sustained_failure_ratio: 0.85 }).detect(NOW)).toEqual([
        expect.objectContaining({ kind: 'sustained_outage', failures: 17 }),
      ]);
    });

    it('still needs min_failures failures', async () => {
      await seedDeliveries(dataSource, NOW, [
        { minutesAgo: 6, spreadToMinutesAgo: 59, count: 50, status: 'failed', error: 'HTTP 500' },
        { minutesAgo: 0.5, spreadToMinutesAgo: 4, count: 4, status: 'failed', error: 'HTTP 500' },
        { minutesAgo: 2, count: 1 },
      ]);
      expect(await detector.detect(NOW)).toEqual([]);
    });
  });

  describe('the baseline rate over the time the endpoint had traffic', () => {
    it('does not call a spike what is the usual rate of an endpoint that began 20 minutes ago', async () => {
      // 2/min since 20 minutes ago, 5/min now: x2.5 over 15 minutes of traffic (x9.2 over the whole 55).
      await seedDeliveries(dataSource, NOW, [
        { target: A, minutesAgo: 6, spreadToMinutesAgo: 20, count: 30 },
        { target: A, minutesAgo: 0.5, spreadToMinutesAgo: 4.5, count: 25 },
      ]);
      expect(await detector.detect(NOW)).toEqual([]);
    });

    it('still reports a real spike, with the ratio over traffic time', async () => {
      await seedDeliveries(dataSource, NOW, [
        { target: B, minutesAgo: 6, spreadToMinutesAgo: 20, count: 15 },
        { target: B, minutesAgo: 0.5, spreadToMinutesAgo: 4.5, count: 25 },
      ]);
      expect(await detector.detect(NOW)).toEqual([
        expect.objectContaining({ endpoint: B, kind: 'traffic_spike', total_baseline: 15, traffic_ratio: 5 }), // (25 / 5) / (15 / 15)
      ]);
    });

    it('counts whole recent windows, so one attempt just before the recent window is a rate over 5 minutes', async () => {
      await seedDeliveries(dataSource, NOW, [
        { target: C, minutesAgo: 5.1, count: 1 },
        { target: C, minutesAgo: 0.5, spreadToMinutesAgo: 4, count: 6, status: 'failed', triage: 'rate_limited', error: 'HTTP 429' },
      ]);
      expect(await detector.detect(NOW)).toEqual([
        expect.objectContaining({ endpoint: C, kind: 'failure_burst', total_baseline: 1, traffic_ratio: 6 }), // (6 / 5) / (1 / 5)
      ]);
    });

    it("reports a burst's traffic ratio over traffic time", async () => {
      await seedDeliveries(dataSource, NOW, [
        { target: A, minutesAgo: 6, spreadToMinutesAgo: 20, count: 30 },
        { ...outage(4.5), minutesAgo: 0.5, count: 10 },
        { target: A, minutesAgo: 1, count: 5 },
      ]);
      expect(await detector.detect(NOW)).toEqual([
        // (15 / 5) / (30 / 15)
        expect.objectContaining({ kind: 'failure_burst', total_recent: 15, total_baseline: 30, traffic_ratio: 1.5 }),
      ]);
    });
  });

  describe('outageSignals', () => {
    beforeEach(() =>
      seedDeliveries(dataSource, NOW, [
        outage(120, A),
        outage(3, B),
        healthyHourBefore(3, B),
        // C: a traffic spike, not an outage.
        { target: C, minutesAgo: 1, count: 25 },
        { tenant: 'tenant-2', ...outage(30, A) },
      ]),
    );

    it('judges just the endpoints asked about, exactly as detect does, in its order', async () => {
      const detected = await detector.detect(NOW);
      expect(detected.map((i) => [i.tenant_id, i.endpoint, i.kind])).toEqual([
        ['tenant-1', A, 'sustained_outage'],
        ['tenant-2', A, 'sustained_outage'],
        ['tenant-1', B, 'failure_burst'],
        ['tenant-1', C, 'traffic_spike'],
      ]);
      const signals = await detector.outageSignals(
        [
          { tenantId: 'tenant-1', endpoint: B },
          { tenantId: 'tenant-1', endpoint: C },
          { tenantId: 'tenant-1', endpoint: A },
          { tenantId: 'tenant-1', endpoint: A },
          { tenantId: 'tenant-1', endpoint: 'https://quiet.example.com/hook' },
        ],
        NOW,
      );
      expect(signals).toEqual(detected.filter((i) => i.tenant_id === 'tenant-1' && i.kind !== 'traffic_spike').map(asSignal));
    });

    it('keeps tenants apart and answers nothing for no endpoints', async () => {
      expect(await detector.outageSignals([{ tenantId: 'tenant-2', endpoint: B }], NOW)).toEqual([]);
      expect(await detector.outageSignals([{ tenantId: 'tenant-2', endpoint: A }], NOW)).toEqual([
        expect.objectContaining({ tenant_id: 'tenant-2', endpoint: A, failures: 30 }),
      ]);
      expect(await detector.outageSignals([], NOW)).toEqual([]);
      await expect(detector.outageSignal('tenant-1', C, NOW)).resolves.toBeNull();
    });
  });
});
