import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SEND_AUDIT_ACTION } from '../../src/replay/replay-ledger.port';
import { burst, dispatchAndReport } from '../utils/dispatcher';
import { HttpReceiver } from '../utils/http-receiver';
import { TEST_REDIS_URL } from '../utils/pg-admin';
import { eventually } from '../utils/eventually';
import { deleteKeys } from '../utils/redis-keys';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const ROUNDS = 10;
const FAILED_PER_ROUND = 5;

jest.setTimeout(180_000);

/**
 * Two instances on one PostgreSQL and one Redis; the endpoint is slow and still failing. While
 * the first instance's cycle is replaying, the cycle lock key is deleted and a second live cycle
 * starts on the other instance. The endpoint's healing lease and the heal intent recorded before
 * the first send keep the second cycle off the endpoint: no delivery is received twice, and every
 * send has exactly one audit intent row.
 */
describe('the cycle lock lost mid-cycle', () => {
  const prefix = `test-lock-lost-${randomBytes(4).toString('hex')}:`;
  let db: TestDatabase;
  let receiver: HttpReceiver;
  let redis: Redis;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = await new HttpReceiver().start();
    redis = new Redis(TEST_REDIS_URL);
    const env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix };
    [a, b] = await Promise.all([createTestApp({ env }), createTestApp({ env })]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await receiver?.stop();
    await deleteKeys(redis, prefix);
    await redis?.quit();
    await db?.drop();
  });

  const runLive = (app: TestApp) =>
    request(app.app.getHttpServer()).post('/autoheal/run?dry_run=false').auth(app.token('operator'), { type: 'bearer' });

  it(`sends no delivery twice in ${ROUNDS} rounds, and audits every send exactly once`, async () => {
    const ingest = a.token('ingest');
    const hitsPerDelivery = new Map<string, number>();
    const sentIds: string[] = [];
    const secondCycles: Array<{ status: number; checks: string[] }> = [];

    for (let round = 1; round <= ROUNDS; round++) {
      const path = `/round-${round}`;
      receiver.delayMs = 0;
      receiver.status = 200;
      await dispatchAndReport(a.app, ingest, burst(`ok_${round}`, 'tenant-1', receiver.url(path), 20, 40 * 60));
      receiver.status = 503;
      const failing = burst(`r${round}`, 'tenant-1', receiver.url(path), FAILED_PER_ROUND, 30);
      await dispatchAndReport(a.app, ingest, failing);
      // Back up: REPLAY_RECENT is canary-first, so the first cycle goes on past its first send only on a 2xx.
      receiver.status = 200;
      const before = receiver.at(path).length;
      receiver.delayMs = 150;

      const first = runLive(a).then((res) => res);
      // The first cycle has settled its first replay and is on its second when the lock goes.
      await eventually(
        () => {
          if (receiver.at(path).length - before < 2) throw new Error('the first cycle is not on its second send yet');
        },
        20_000,
        10,
      );
      await redis.del(`autoheal:${prefix}cycle:lock`);
      const second = await runLive(b);
      const firstRes = await first;
      expect(firstRes.status).toBe(200);
      secondCycles.push({
        status: second.status,
        checks: (second.body.actions_skipped ?? [])
          .filter((s: { incident: { endpoint: string } }) => s.incident.endpoint === receiver.url(path))
          .map((s: { check: string }) => s.check),
      });

      for (const hit of receiver.at(path).slice(before)) {
        const id = String(hit.headers['idempotency-key']);
        hitsPerDelivery.set(id, (hitsPerDelivery.get(id) ?? 0) + 1);
        sentIds.push(id);
      }
    }

    // The second cycle ran (the lock was gone) and kept off the endpoint the first was healing.
    expect(secondCycles.every((c) => c.status === 200)).toBe(true);
    expect(secondCycles.every((c) => c.checks.length === 1 && ['cooldown', 'endpoint_lease'].includes(c.checks[0]))).toBe(true);
    const twice = [...hitsPerDelivery].filter(([, hits]) => hits > 1);
    expect(twice).toEqual([]);
    expect(sentIds).toHaveLength(ROUNDS * FAILED_PER_ROUND);

    const audited: Array<{ resource_id: string; n: number }> = await a.app
      .get(DataSource)
      .query(`SELECT resource_id, count(*)::int AS n FROM operator_audit WHERE action = $1 GROUP BY 1`, [SEND_AUDIT_ACTION]);
    expect(audited.map((row) => row.resource_id).sort()).toEqual([...sentIds].sort());
    expect(audited.every((row) => row.n === 1)).toBe(true);
  });
});
