import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { burst, dispatchAndReport } from '../utils/dispatcher';
import { HttpReceiver } from '../utils/http-receiver';
import { TEST_REDIS_URL } from '../utils/pg-admin';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

/** Two instances of the service on one PostgreSQL and one Redis, racing to heal the same burst. */
describe('two instances healing at once', () => {
  let db: TestDatabase;
  let receiver: HttpReceiver;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = await new HttpReceiver().start();
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await receiver?.stop();
    await db?.drop();
  });

  const boot = async (prefix: string) => {
    const app = await createTestApp({ env: { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix } });
    apps.push(app);
    return app;
  };

  async function failingBurst(app: TestApp, name: string, count: number) {
    const ingest = app.token('ingest');
    receiver.status = 200;
    await dispatchAndReport(app.app, ingest, burst(`${name}_ok`, 'tenant-123', receiver.url(`/${name}`), 20, 40 * 60));
    receiver.status = 503;
    const failing = burst(name, 'tenant-123', receiver.url(`/${name}`), count, 30);
    await dispatchAndReport(app.app, ingest, failing);
    receiver.status = 200;
    receiver.received.length = 0;
    return failing.map((d) => d.id);
  }

  const runLive = (app: TestApp) =>
    request(app.app.getHttpServer()).post('/autoheal/run?dry_run=false').auth(app.token('operator'), { type: 'bearer' });

  function expectEachReplayedOnce(path: string, ids: string[]) {
    const keys = receiver.at(path).map((r) => r.headers['idempotency-key']);
    expect([...keys].sort()).toEqual([...ids].sort());
  }

  it('sharing one Redis: one cycle runs, the other gets 409, nothing is sent twice', async () => {
    const prefix = `test:${randomBytes(4).toString('hex')}:`;
    const [a, b] = await Promise.all([boot(prefix), boot(prefix)]);
    const ids = await failingBurst(a, 'shared', 12);
    const [ra, rb] = await Promise.all([runLive(a), runLive(b)]);
    const statuses = [ra.status, rb.status].sort();
    // Either they overlapped (one 409) or one finished first (the second then finds the cooldown).
    expect([
      [200, 409],
      [200, 200],
    ]).toContainEqual(statuses);
    const replays = [ra, rb].filter((r) => r.status === 200).reduce((sum, r) => sum + r.body.total_replays, 0);
    expect(replays).toBe(12);
    expectEachReplayedOnce('/shared', ids);
  });

  it('even without the lock (separate Redis namespaces), the PostgreSQL claim sends each delivery once', async () => {
    const [a, b] = await Promise.all([boot(`test:${randomBytes(4).toString('hex')}:`), boot(`test:${randomBytes(4).toString('hex')}:`)]);
    const ids = await failingBurst(a, 'split', 15);
    const [ra, rb] = await Promise.all([runLive(a).expect(200), runLive(b).expect(200)]);
    expect(ra.body.total_replays + rb.body.total_replays).toBe(15);
    expectEachReplayedOnce('/split', ids);
    const attempts = await apps[0].app
      .get(DataSource)
      .query(
        `SELECT delivery_id, count(*)::int AS n FROM delivery_attempts WHERE source = 'autoheal' AND delivery_id = ANY($1) GROUP BY 1`,
        [ids],
      );
    expect(attempts).toHaveLength(15);
    expect(attempts.every((row: { n: number }) => row.n === 1)).toBe(true);
  });

  it('even when the endpoint is still down and the lock is not shared, a failed replay is not retried by the other instance', async () => {
    const [a, b] = await Promise.all([boot(`test:${randomBytes(4).toString('hex')}:`), boot(`test:${randomBytes(4).toString('hex')}:`)]);
    const ids = await failingBurst(a, 'still_down', 10);
    receiver.status = 503; // the replays fail too
    const [ra, rb] = await Promise.all([runLive(a).expect(200), runLive(b).expect(200)]);
    // Canary-first: an instance sends one delivery, gets the 503 and sends no more of its batch; the
    // other sends its own canary, or keeps off the endpoint while the first holds its healing lease.
    const total = ra.body.total_replays + rb.body.total_replays;
    expect([1, 2]).toContain(total);
    const keys = receiver.at('/still_down').map((r) => r.headers['idempotency-key'] as string);
    expect(keys).toHaveLength(total);
    expect(new Set(keys).size).toBe(total);
    expect(ids).toEqual(expect.arrayContaining(keys));
  });
});
