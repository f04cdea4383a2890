import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SqlAnomalyDetector } from '../../src/anomalies/sql-anomaly-detector.adapter';
import { Clock, ManualClock } from '../../src/clock/clock';
import { Coordination } from '../../src/coordination/coordination.port';
import { RecordingReplayer } from '../../src/replay/recording-replayer.adapter';
import { Replayer } from '../../src/replay/replayer.port';
import { DEFAULT_RULES } from '../../src/rules/rules.defaults';
import { StaticRulesSource } from '../../src/rules/rules.source';
import { validateRules } from '../../src/rules/rules.validation';
import { TenantThrottles } from '../../src/throttles/tenant-throttles.service';
import { clearDeliveries, openDataSource, seedDeliveries } from '../anomalies/seed-deliveries';
import { TEST_REDIS_URL } from '../utils/pg-admin';
import { sharedSqlDatabase } from '../utils/sql-store';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const FLOOD = 'tenant-flood';
const CALM = 'tenant-calm';
const F1 = 'https://flood.example.com/one';
const F2 = 'https://flood.example.com/two';
const C1 = 'https://calm.example.com/hook';

/** A flooding tenant (two endpoints, 66× its baseline traffic, 92% of all failures) and a calm one with failures of its own. */
async function seedFlood(dataSource: DataSource, floodFailures = 60): Promise<void> {
  for (const target of [F1, F2]) {
    await seedDeliveries(dataSource, NOW, [
      { tenant: FLOOD, target, minutesAgo: 6, spreadToMinutesAgo: 59, count: 10 },
      {
        tenant: FLOOD,
        target,
        minutesAgo: 0.5,
        spreadToMinutesAgo: 4,
        count: floodFailures,
        status: 'failed',
        triage: 'transient_endpoint_down',
        error: 'HTTP 503',
      },
    ]);
  }
  await seedDeliveries(dataSource, NOW, [
    { tenant: CALM, target: C1, minutesAgo: 6, spreadToMinutesAgo: 59, count: 100 },
    {
      tenant: CALM,
      target: C1,
      minutesAgo: 0.5,
      spreadToMinutesAgo: 4,
      count: 10,
      status: 'failed',
      triage: 'permanent_4xx',
      error: 'HTTP 410',
    },
  ]);
}

describe('RATE_LIMIT_SOURCE detection (PostgreSQL)', () => {
  const sql = sharedSqlDatabase();
  beforeEach(() => clearDeliveries(sql.dataSource));

  it("names the tenant whose share of all failures is above dominance_ratio and whose traffic is ≥ 3× its baseline's", async () => {
    await seedFlood(sql.dataSource);
    const incidents = await new SqlAnomalyDetector(sql.dataSource, new StaticRulesSource(DEFAULT_RULES)).detect(NOW);
    const byEndpoint = Object.fromEntries(incidents.map((i) => [i.endpoint, i]));
    // 120 of 130 failures; (120 / 5 min) over (20 / 55 min) = 66×.
    for (const endpoint of [F1, F2]) {
      expect(byEndpoint[endpoint]).toMatchObject({ tenant_failure_share: 0.923, tenant_traffic_ratio: 66, flooding_tenant: FLOOD });
    }
    expect(byEndpoint[C1]).toMatchObject({ tenant_failure_share: 0.077, flooding_tenant: null });
  });

  it('does not name a tenant that fails most but sends as usual, nor one below a stricter dominance_ratio', async () => {
    await seedDeliveries(sql.dataSource, NOW, [
      // A plain outage: the same traffic as its baseline, all of it failing.
      { tenant: FLOOD, target: F1, minutesAgo: 6, spreadToMinutesAgo: 59, count: 110 },
      { tenant: FLOOD, target: F1, minutesAgo: 0.5, spreadToMinutesAgo: 4, count: 10, status: 'failed', triage: 'transient_endpoint_down' },
    ]);
    const [outage] = await new SqlAnomalyDetector(sql.dataSource, new StaticRulesSource(DEFAULT_RULES)).detect(NOW);
    expect(outage).toMatchObject({ tenant_failure_share: 1, tenant_traffic_ratio: 1, flooding_tenant: null });

    // No baseline traffic at all: nothing to be 3× of (a new tenant's first burst is an outage, not a flood).
    await clearDeliveries(sql.dataSource);
    await seedDeliveries(sql.dataSource, NOW, [
      { tenant: FLOOD, target: F1, minutesAgo: 0.5, spreadToMinutesAgo: 4, count: 40, status: 'failed', triage: 'transient_endpoint_down' },
    ]);
    const [cold] = await new SqlAnomalyDetector(sql.dataSource, new StaticRulesSource(DEFAULT_RULES)).detect(NOW);
    expect(cold).toMatchObject({ tenant_failure_share: 1, tenant_traffic_ratio: null, flooding_tenant: null });

    // A burst of retries at 30× a quiet baseline: below the volume of a flood (flood_min_deliveries).
    await clearDeliveries(sql.dataSource);
    await seedDeliveries(sql.dataSource, NOW, [
      { tenant: FLOOD, target: F1, minutesAgo: 6, spreadToMinutesAgo: 59, count: 3 },
      { tenant: FLOOD, target: F1, minutesAgo: 0.5, spreadToMinutesAgo: 4, count: 10, status: 'failed', triage: 'transient_endpoint_down' },
    ]);
    const [small] = await new SqlAnomalyDetector(sql.dataSource, new StaticRulesSource(DEFAULT_RULES)).detect(NOW);
    expect(small).toMatchObject({ tenant_failure_share: 1, flooding_tenant: null });
    expect(small.tenant_traffic_ratio).toBeGreaterThan(3);

    await clearDeliveries(sql.dataSource);
    await seedFlood(sql.dataSource);
    const strict = validateRules({ detection: { dominance_ratio: 0.95 } });
    const incidents = await new SqlAnomalyDetector(sql.dataSource, new StaticRulesSource(strict)).detect(NOW);
    expect(incidents.map((i) => i.flooding_tenant)).toEqual([null, null, null]);
  });
});

describe('throttles end to end (PostgreSQL, Redis, HTTP)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let t: TestApp;
  const clock = new ManualClock(NOW);
  const http = () => request(t.app.getHttpServer());
  const until = new Date(NOW.getTime() + 30 * 60_000).toISOString();

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    t = await createTestApp({
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
        NOTIFY_WEBHOOK_URL: undefined,
      },
      overrides: [
        [Clock, clock],
        [Replayer, new RecordingReplayer()],
      ],
    });
    await seedFlood(dataSource);
  });
  afterAll(async () => {
    await t?.close();
    await dataSource?.destroy();
    await db?.drop();
  });

  it('a live cycle throttles the flooding tenant once (two endpoints, one throttle) and leaves the calm one alone', async () => {
    const res = await http().post('/autoheal/run').auth(t.token('operator'), { type: 'bearer' }).expect(200);
    const limited = (res.body.actions_taken as Array<{ strategy: string; incident: { endpoint: string }; throttle?: unknown }>).filter(
      (a) => a.strategy === 'RATE_LIMIT_SOURCE',
    );
    expect(limited).toHaveLength(1);
    expect(limited[0].throttle).toEqual({ tenant_id: FLOOD, factor: 0.5, duration_minutes: 30, until });
    expect(res.body.actions_skipped).toEqual(
      expect.arrayContaining([expect.objectContaining({ strategy: 'RATE_LIMIT_SOURCE', check: 'already_throttled' })]),
    );
    expect(res.body.actions_taken.find((a: { incident: { endpoint: string } }) => a.incident.endpoint === C1)).toMatchObject({
      strategy: 'ESCALATE_OPERATOR',
    });
    const rows = await dataSource.query(`SELECT tenant_id, factor::float8 AS factor, until, set_by, lifted_at FROM tenant_throttles`);
    expect(rows).toEqual([{ tenant_id: FLOOD, factor: 0.5, until: new Date(until), set_by: 'system:autoheal', lifted_at: null }]);
    const ttl = await t.app.get(Coordination).ttlMs(`throttle:${FLOOD}`);
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000);
  });

  it('dispatchers read it: the list, one tenant, and an unthrottled tenant at factor 1', async () => {
    const ingest = t.token('ingest', 'dispatcher');
    const list = await http().get('/autoheal/throttles').auth(ingest, { type: 'bearer' }).expect(200);
    expect(list.body).toEqual({
      throttles: [
        {
          tenant_id: FLOOD,
          factor: 0.5,
          until,
          reason: expect.stringMatching(/^Tenant tenant-flood floods: 92% of all failures/),
          set_by: 'system:autoheal',
          created_at: NOW.toISOString(),
        },
      ],
    });
    const one = await http().get(`/autoheal/throttles/${FLOOD}`).auth(ingest, { type: 'bearer' }).expect(200);
    expect(one.body).toMatchObject({ factor: 0.5, until, reason: expect.any(String) });
    const calm = await http().get(`/autoheal/throttles/${CALM}`).auth(ingest, { type: 'bearer' }).expect(200);
    expect(calm.body).toEqual({ tenant_id: CALM, factor: 1, until: null, reason: null });
    await http().get('/autoheal/throttles').auth(t.token('viewer'), { type: 'bearer' }).expect(403);
  });

  it('the POST /deliveries answer lists the throttles of the tenants in the batch, and only then', async () => {
    const ingest = t.token('ingest', 'dispatcher');
    const item = (id: string, tenant: string, target: string) => ({ id, tenant_id: tenant, target, status: 'delivered', http_status: 200 });
    const both = await http()
      .post('/deliveries')
      .auth(ingest, { type: 'bearer' })
      .send([item('new-flood', FLOOD, F1), item('new-calm', CALM, C1)])
      .expect(200);
    expect(both.body).toEqual({ inserted: 2, updated: 0, throttles: [expect.objectContaining({ tenant_id: FLOOD, factor: 0.5, until })] });
    const calmOnly = await http()
      .post('/deliveries')
      .auth(ingest, { type: 'bearer' })
      .send([item('new-calm-2', CALM, C1)])
      .expect(200);
    expect(calmOnly.body).toEqual({ inserted: 1, updated: 0 });
  });

  it('coordination lost the key (a Redis flushed or a memory coordination restarted): the record puts it back at start', async () => {
    await t.app.get(Coordination).delete(`throttle:${FLOOD}`);
    expect(await t.app.get(TenantThrottles).get(FLOOD)).toBeNull();
    await t.app.get(TenantThrottles).onModuleInit();
    expect(await t.app.get(TenantThrottles).get(FLOOD)).toMatchObject({ factor: 0.5, until });
  });

  it('an operator lifts it (audited); a viewer, an ingest token and an operator of another tenant cannot', async () => {
    await http().delete(`/autoheal/throttles/${FLOOD}`).auth(t.token('viewer'), { type: 'bearer' }).expect(403);
    await http().delete(`/autoheal/throttles/${FLOOD}`).auth(t.token('ingest'), { type: 'bearer' }).expect(403);
    await http()
      .delete(`/autoheal/throttles/${FLOOD}`)
      .auth(t.token('operator', 'calm-support', '1h', [CALM]), { type: 'bearer' })
      .expect(404);
    expect(await t.app.get(TenantThrottles).get(FLOOD)).not.toBeNull();

    await http().delete(`/autoheal/throttles/${FLOOD}`).auth(t.token('operator', 'oncall-bob'), { type: 'bearer' }).expect(204);
    const after = await http().get(`/autoheal/throttles/${FLOOD}`).auth(t.token('ingest'), { type: 'bearer' }).expect(200);
    expect(after.body).toMatchObject({ factor: 1, until: null });
    expect(await dataSource.query(`SELECT lifted_by FROM tenant_throttles WHERE lifted_at IS NOT NULL`)).toEqual([
      { lifted_by: 'oncall-bob' },
    ]);
    const audit = await dataSource.query(
      `SELECT operator_id, tenant_id, resource_id FROM operator_audit WHERE action = 'autoheal_throttle_lift'`,
    );
    expect(audit).toEqual([{ operator_id: 'oncall-bob', tenant_id: FLOOD, resource_id: FLOOD }]);
    await http().delete(`/autoheal/throttles/${FLOOD}`).auth(t.token('operator'), { type: 'bearer' }).expect(404);
  });
});
