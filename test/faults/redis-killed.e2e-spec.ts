import { Client } from 'pg';
import type { CycleResult } from '../../src/engine/cycle-result';
import { SEND_AUDIT_ACTION } from '../../src/replay/replay-ledger.port';
import { eventually } from '../utils/eventually';
import { PrivateRedis, startPrivateRedis } from '../utils/private-redis';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { FaultRig, seedFailureBurst, startFaultRig } from './fault-fixtures';

const FAILED = 6;
const KILL_AFTER_SENDS = 2;

jest.setTimeout(90_000);

interface HistoryRow {
  cycle_id: string;
  status: string;
  actions_taken: CycleResult['actions_taken'] | null;
  actions_skipped: CycleResult['actions_skipped'];
}

/**
 * The service's own Redis is SIGKILLed while a live cycle is replaying to a slow endpoint. The
 * claims, sends and their audit intents live in PostgreSQL, so the cycle's sends are each received
 * once, each audited once, and reported as taken in the cycle's one history row; after Redis comes
 * back (empty: the cooldowns it held are gone) the next cycle re-sends nothing.
 */
describe('Redis killed mid-cycle', () => {
  let db: TestDatabase;
  let pg: Client;
  let redis: PrivateRedis | undefined;
  let rig: FaultRig | undefined;

  const call = (path: string, init: RequestInit = {}) => rig!.call(path, init);
  const runLive = () => rig!.runLive();
  const sends = () => rig!.sends();
  const auditedSends = async () =>
    (
      await pg.query<{ resource_id: string; cycle_id: string }>(
        `SELECT resource_id, meta->>'cycle_id' AS cycle_id FROM operator_audit WHERE action = $1 ORDER BY at`,
        [SEND_AUDIT_ACTION],
      )
    ).rows;
  const historyRows = async () =>
    (
      await pg.query<HistoryRow>(
        `SELECT cycle_id::text, status, actions_taken, actions_skipped FROM autoheal_history WHERE NOT dry_run ORDER BY run_at`,
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    redis = await startPrivateRedis();
    rig = await startFaultRig(
      'redis-killed',
      { cycle: { abandon_pending_after_seconds: 6 } },
      { DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${redis.port}`, REPLAY_TIMEOUT_MS: '3000' },
    );
  });
  afterAll(async () => {
    await rig?.stop();
    await redis?.kill();
    await pg?.end();
    await db?.drop();
  });

  it('receives each send once, audits each once, and reports the cycle in one history row as having acted', async () => {
    const receiver = rig!.receiver;
    const target = receiver.url('/hook');
    const seeded = await seedFailureBurst(rig!, target, FAILED);
    expect(seeded.status).toBe(200);
    const { failed } = seeded;

    receiver.delayMs = 400;
    const run = runLive();
    await eventually(() => expect(receiver.received.length).toBeGreaterThanOrEqual(KILL_AFTER_SENDS), 20_000);
    await redis!.kill();
    const sentBeforeKill = receiver.received.length;
    const first = await run;
    receiver.delayMs = 0;

    // The cycle went on sending after Redis died (the claims are in PostgreSQL), and says so.
    expect(first.status).toBe(200);
    expect(sentBeforeKill).toBeLessThan(FAILED);
    const firstSends = sends();
    expect(firstSends).toHaveLength(FAILED);
    expect(new Set(firstSends).size).toBe(firstSends.length);
    const reported = first.body.actions_taken.flatMap((action) => (action.replayed as string[] | undefined) ?? []);
    expect([...reported].sort()).toEqual([...firstSends].sort());
    expect(first.body.total_replays).toBe(firstSends.length);
    const skippedInstead = first.body.actions_skipped.filter((skip) => !skip.reason.startsWith('After the action'));
    expect(skippedInstead).toEqual([]);

    // One intent row per send, in one cycle; that cycle has exactly one history row, with the actions as taken.
    const audited = await auditedSends();
    expect(audited.map((row) => row.resource_id).sort()).toEqual([...firstSends].sort());
    const cycleIds = [...new Set(audited.map((row) => row.cycle_id))];
    expect(cycleIds).toHaveLength(1);
    const [row, ...others] = await historyRows();
    expect(others).toEqual([]);
    expect(row).toMatchObject({ cycle_id: cycleIds[0], status: 'completed' });
    expect(row.actions_taken!.flatMap((action) => (action.replayed as string[] | undefined) ?? []).sort()).toEqual([...firstSends].sort());
    const last = (await (await call('/autoheal/last')).json()) as CycleResult;
    expect(last.total_replays).toBe(firstSends.length);
    expect(last.actions_taken.map((action) => action.incident.endpoint)).toEqual([target]);

    // Redis comes back empty on the same port (the cooldown it held is gone): the next cycle re-sends nothing.
    redis = await startPrivateRedis(undefined, { port: redis!.port });
    await eventually(
      async () => {
        const health = (await (await call('/health')).json()) as { details: { coordination: { reachable: boolean } } };
        expect(health.details.coordination.reachable).toBe(true);
      },
      30_000,
      200,
    );
    const next = await runLive();
    expect(next.status).toBe(200);
    expect(next.body.actions_skipped.filter((skip) => /unreachable/i.test(skip.reason))).toEqual([]);
    expect(next.body.total_replays).toBe(0);

    // Across both cycles: every failed delivery received exactly once, each send audited exactly once.
    const allSends = sends();
    expect([...allSends].sort()).toEqual(failed.map((d) => d.id).sort());
    expect((await auditedSends()).map((r) => r.resource_id).sort()).toEqual([...allSends].sort());
    const pending = await pg.query(`SELECT delivery_id FROM delivery_attempts WHERE source = 'autoheal' AND outcome = 'pending'`);
    expect(pending.rows).toEqual([]);
    expect((await historyRows()).map((h) => h.status)).toEqual(['completed', 'completed']);
    expect((await call('/health')).status).toBe(200);
  });
});
