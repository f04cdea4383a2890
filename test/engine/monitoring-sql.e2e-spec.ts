import request from 'supertest';
import { DataSource } from 'typeorm';
import { burst, dispatchAndReport } from '../utils/dispatcher';
import { HttpReceiver } from '../utils/http-receiver';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

// The guide's "Monitoring" → "Key Metrics" queries, character for character.
const HEALING_SUCCESS_RATE = `SELECT 
  COUNT(CASE WHEN actions_taken IS NOT NULL THEN 1 END)::float / 
  COUNT(*) as success_rate
FROM autoheal_history
WHERE run_at >= NOW() - INTERVAL '24 hours';`;
const STRATEGY_DISTRIBUTION = `SELECT 
  action->>'strategy' as strategy,
  COUNT(*) as count
FROM autoheal_history,
     jsonb_array_elements(actions_taken) as action
WHERE run_at >= NOW() - INTERVAL '24 hours'
GROUP BY strategy
ORDER BY count DESC;`;
const REPLAY_EFFECTIVENESS = `SELECT 
  AVG(CASE WHEN new_status = 'delivered' THEN 1 ELSE 0 END) as replay_success_rate
FROM deliveries
WHERE meta->>'autoheal' = 'true'
  AND created_at >= NOW() - INTERVAL '24 hours';`;
// The README's form of "Strategy Distribution" without dry runs.
const LIVE_STRATEGY_DISTRIBUTION = STRATEGY_DISTRIBUTION.replace(`INTERVAL '24 hours'`, `INTERVAL '24 hours' AND NOT dry_run`);

/**
 * The guide's monitoring SQL, run as written on a database seeded by real cycles: a dry run, a live
 * cycle that replays to one endpoint that recovered and one still down, and a live cycle that takes
 * no action (only the endpoint still down is an incident, and it is not acted on again).
 */
describe("the guide's monitoring SQL", () => {
  let db: TestDatabase;
  let t: TestApp;
  let recovered: HttpReceiver;
  let down: HttpReceiver;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    [recovered, down] = await Promise.all([new HttpReceiver().start(), new HttpReceiver().start()]);
    t = await createTestApp({ env: { DATABASE_URL: db.url } });
    dataSource = t.app.get(DataSource);

    const ingest = t.token('ingest');
    for (const [name, receiver] of [
      ['recovered', recovered],
      ['down', down],
    ] as const) {
      receiver.status = 200;
      await dispatchAndReport(t.app, ingest, burst(`${name}_ok`, 'tenant-1', receiver.url('/hook'), 20, 40 * 60));
      receiver.status = 503;
      await dispatchAndReport(t.app, ingest, burst(name, 'tenant-1', receiver.url('/hook'), 5, 30));
    }
    recovered.status = 200;

    const run = (dryRun: boolean) =>
      request(t.app.getHttpServer()).post(`/autoheal/run?dry_run=${dryRun}`).auth(t.token('operator'), { type: 'bearer' }).expect(200);
    expect((await run(true)).body.actions_taken).toHaveLength(2);
    // Canary-first: the endpoint still down gets one replay (its 503 stops the batch), the recovered one all five.
    expect((await run(false)).body.total_replays).toBe(6);
    const idle = await run(false);
    expect(idle.body.actions_taken).toEqual([]);
    expect(idle.body.actions_skipped).toEqual([
      expect.objectContaining({ incident: expect.objectContaining({ endpoint: down.url('/hook') }) }),
    ]);
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([recovered?.stop(), down?.stop()]);
    await db?.drop();
  });

  it('Healing Success Rate: a cycle that took no action stores NULL, so it counts as one that did not heal', async () => {
    const [{ success_rate }] = await dataSource.query(HEALING_SUCCESS_RATE);
    expect(success_rate).toBeCloseTo(2 / 3);
    const stored = await dataSource.query(`SELECT actions_taken FROM autoheal_history ORDER BY run_at DESC, id LIMIT 1`);
    expect(stored).toEqual([{ actions_taken: null }]);
    const last = await request(t.app.getHttpServer()).get('/autoheal/last').auth(t.token('operator'), { type: 'bearer' }).expect(200);
    expect(last.body.actions_taken).toEqual([]);
  });

  it('Strategy Distribution: counts the dry run unless filtered', async () => {
    expect(await dataSource.query(STRATEGY_DISTRIBUTION)).toEqual([{ strategy: 'REPLAY_RECENT', count: '4' }]);
    expect(await dataSource.query(LIVE_STRATEGY_DISTRIBUTION)).toEqual([{ strategy: 'REPLAY_RECENT', count: '2' }]);
  });

  it('Replay Effectiveness: the share of auto-healed deliveries the replay left delivered', async () => {
    const [{ replay_success_rate }] = await dataSource.query(REPLAY_EFFECTIVENESS);
    expect(Number(replay_success_rate)).toBeCloseTo(5 / 6);
    const statuses = await dataSource.query(
      `SELECT new_status, count(*)::int AS n FROM deliveries WHERE meta->>'autoheal' = 'true' GROUP BY 1 ORDER BY 1`,
    );
    expect(statuses).toEqual([
      { new_status: 'delivered', n: 5 },
      { new_status: 'failed', n: 1 },
    ]);
  });
});
