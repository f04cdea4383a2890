import request from 'supertest';
import { DataSource } from 'typeorm';
import { AnomalyDetector } from '../../src/anomalies/anomaly-detector.port';
import { SqlAnomalyDetector } from '../../src/anomalies/sql-anomaly-detector.adapter';
import { Clock, ManualClock } from '../../src/clock/clock';
import { Insights } from '../../src/insights/insights.port';
import { SqlInsights } from '../../src/insights/sql-insights.adapter';
import { DEFAULT_RULES } from '../../src/rules/rules.defaults';
import { RulesSource, StaticRulesSource } from '../../src/rules/rules.source';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { openDataSource, seedDeliveries } from './seed-deliveries';

const NOW = new Date('2025-01-23T12:00:00.000Z');
// Tighter severity grades than the defaults (medium 10 / high 25), so the answer shows these rules were used.
const RULES = { ...DEFAULT_RULES, detection: { ...DEFAULT_RULES.detection, severity_thresholds: { medium: 5, high: 12, critical: 50 } } };

describe('GET /anomalies/current', () => {
  let db: TestDatabase;
  let t: TestApp;
  let dataSource: DataSource;
  const clock = new ManualClock(NOW);

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    t = await createTestApp({
      env: { DATABASE_URL: db.url },
      customize: (builder) =>
        builder.overrideProvider(Clock).useValue(clock).overrideProvider(RulesSource).useValue(new StaticRulesSource(RULES)),
    });
    await seedDeliveries(dataSource, NOW, [
      { target: 'https://a.example.com/hook', minutesAgo: 1, count: 12, status: 'failed', triage: 'rate_limited', error: 'HTTP 429' },
    ]);
  });
  afterAll(async () => {
    await t?.close();
    await dataSource?.destroy();
    await db?.drop();
  });

  it('answers the incidents at the clock’s now, under the RulesSource’s thresholds, to an operator', async () => {
    const res = await request(t.app.getHttpServer()).get('/anomalies/current').auth(t.token('operator'), { type: 'bearer' }).expect(200);
    expect(res.body).toEqual({
      detected_at: NOW.toISOString(),
      incidents: [
        expect.objectContaining({
          tenant_id: 'tenant-1',
          endpoint: 'https://a.example.com/hook',
          kind: 'failure_burst',
          severity: 'high',
          failures: 12,
          triage_distribution: { rate_limited: 12 },
          most_common_error: 'HTTP 429',
          detected_at: NOW.toISOString(),
        }),
      ],
    });
  });

  it('follows the clock: an hour later the burst is history', async () => {
    clock.set(new Date(NOW.getTime() + 61 * 60_000));
    try {
      const res = await request(t.app.getHttpServer()).get('/anomalies/current').auth(t.token('operator'), { type: 'bearer' }).expect(200);
      expect(res.body).toEqual({ detected_at: clock.now().toISOString(), incidents: [] });
    } finally {
      clock.set(NOW);
    }
  });

  it('wires the SQL adapters into AppModule', () => {
    expect(t.app.get(AnomalyDetector)).toBeInstanceOf(SqlAnomalyDetector);
    expect(t.app.get(Insights)).toBeInstanceOf(SqlInsights);
  });

  it('refuses the ingest role (403) and a caller without a token (401)', async () => {
    await request(t.app.getHttpServer()).get('/anomalies/current').auth(t.token('ingest'), { type: 'bearer' }).expect(403);
    await request(t.app.getHttpServer()).get('/anomalies/current').expect(401);
  });
});
