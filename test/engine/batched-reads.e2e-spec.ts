import { DataSource } from 'typeorm';
import { SystemClock } from '../../src/clock/clock';
import { endpointKey } from '../../src/common/endpoint-key';
import { SqlDeliveryStore } from '../../src/deliveries/sql-delivery-store.adapter';
import { SqlInsights } from '../../src/insights/sql-insights.adapter';
import { DEFAULT_RULES } from '../../src/rules/rules.defaults';
import { StaticRulesSource } from '../../src/rules/rules.source';
import { openDataSource, seedDeliveries } from '../anomalies/seed-deliveries';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

/** The cycle reads all incidents at once; those batched reads must say exactly what the single ones say. */
describe('batched per-incident reads', () => {
  const now = new Date('2026-11-27T12:00:00Z');
  let db: TestDatabase;
  let ds: DataSource;
  const refs = [
    { tenantId: 't1', endpoint: 'https://a.example/hook' },
    { tenantId: 't1', endpoint: 'https://b.example/hook' },
    { tenantId: 't2', endpoint: 'https://a.example/hook' },
    { tenantId: 't3', endpoint: 'https://nothing.example/hook' },
  ];

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    await seedDeliveries(ds, now, [
      {
        tenant: 't1',
        target: 'https://a.example/hook',
        status: 'failed',
        minutesAgo: 1,
        count: 12,
        spreadToMinutesAgo: 9,
        triage: 'transient_endpoint_down',
      },
      { tenant: 't1', target: 'https://a.example/hook', status: 'dead_letter', minutesAgo: 2, count: 2, triage: 'permanent_4xx' },
      { tenant: 't1', target: 'https://a.example/hook', status: 'delivered', minutesAgo: 30, count: 40, spreadToMinutesAgo: 600 },
      { tenant: 't1', target: 'https://b.example/hook', status: 'failed', minutesAgo: 20, count: 3 },
      { tenant: 't1', target: 'https://b.example/hook', status: 'delivered', minutesAgo: 60, count: 3 },
      { tenant: 't2', target: 'https://a.example/hook', status: 'failed', minutesAgo: 3, count: 4, triage: 'rate_limited' },
      { tenant: 't2', target: 'https://a.example/hook', status: 'delivered', minutesAgo: 100, count: 10 },
    ]);
    // Replays of t1/a: 6 settled autoheal attempts, 4 of them 2xx, so its rate has the replay basis.
    await ds.query(
      `INSERT INTO delivery_attempts (delivery_id, attempted_at, http_status, source, actor, outcome)
       SELECT id, $1::timestamptz - interval '1 hour', CASE WHEN row_number() OVER () <= 4 THEN 200 ELSE 503 END, 'autoheal',
         'system:autoheal',
              CASE WHEN row_number() OVER () <= 4 THEN 'succeeded' ELSE 'failed' END
       FROM (SELECT id FROM deliveries WHERE tenant_id = 't1' AND target = 'https://a.example/hook' ORDER BY id LIMIT 6) d`,
      [now],
    );
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('recentFailuresByEndpoint equals recentFailures per endpoint (its summary columns), limit included', async () => {
    const store = new SqlDeliveryStore(ds, new SystemClock());
    const since = new Date(now.getTime() - 10 * 60_000);
    const batch = await store.recentFailuresByEndpoint(refs, since, 10);
    for (const ref of refs) {
      const single = await store.recentFailures({ ...ref, since, limit: 10 });
      const summary = single.map(({ id, tenant_id, target, status, triage_label, triage_score, created_at }) => ({
        id,
        tenant_id,
        target,
        status,
        triage_label,
        triage_score,
        created_at,
      }));
      expect(batch.get(endpointKey(ref.tenantId, ref.endpoint))).toEqual(summary);
    }
    expect(batch.get(endpointKey('t1', 'https://a.example/hook'))).toHaveLength(10);
    expect(batch.get(endpointKey('t3', 'https://nothing.example/hook'))).toEqual([]);
  });

  it('endpointSuccessRates equals endpointSuccessRate per endpoint, on every basis', async () => {
    const insights = new SqlInsights(ds, new StaticRulesSource(DEFAULT_RULES));
    const batch = await insights.endpointSuccessRates(refs, now);
    for (const ref of refs) {
      expect(batch.get(endpointKey(ref.tenantId, ref.endpoint))).toEqual(
        await insights.endpointSuccessRate(ref.tenantId, ref.endpoint, now),
      );
    }
    expect(new Set([...batch.values()].map((r) => r.basis))).toEqual(new Set(['replays', 'history', 'none']));
  });
});
