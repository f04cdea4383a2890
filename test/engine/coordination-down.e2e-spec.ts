import request from 'supertest';
import { burst, dispatchAndReport } from '../utils/dispatcher';
import { HttpReceiver } from '../utils/http-receiver';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

/** Redis unreachable: the cycle still looks, says why it does nothing, and does nothing. */
describe('cycles while coordination (Redis) is unreachable', () => {
  let db: TestDatabase;
  let t: TestApp;
  let receiver: HttpReceiver;

  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = await new HttpReceiver().start();
    // Nothing listens on port 1: every Redis command fails fast.
    t = await createTestApp({ env: { DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:1' } });
    const ingest = t.token('ingest');
    receiver.status = 200;
    await dispatchAndReport(t.app, ingest, burst('ok', 'tenant-1', receiver.url('/hook'), 20, 40 * 60));
    receiver.status = 503;
    await dispatchAndReport(t.app, ingest, burst('down', 'tenant-1', receiver.url('/hook'), 10, 30));
    receiver.status = 200;
    receiver.received.length = 0;
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
    await db?.drop();
  });

  it('takes no action and says why, for every incident', async () => {
    const res = await request(t.app.getHttpServer()).post('/autoheal/run').auth(t.token('operator'), { type: 'bearer' }).expect(200);
    expect(res.body).toMatchObject({ incidents_detected: 1, actions_taken: [], total_replays: 0, dry_run: false });
    expect(res.body.actions_skipped).toEqual([
      expect.objectContaining({
        check: 'coordination',
        reason: expect.stringMatching(/^Coordination store unreachable \(.+\): no action taken$/),
      }),
    ]);
    expect(receiver.received).toHaveLength(0);
  });

  it('reports it in /health while the database keeps the service up', async () => {
    const res = await request(t.app.getHttpServer()).get('/health').expect(200);
    expect(res.body.info.coordination).toMatchObject({ mode: 'redis', reachable: false, message: expect.stringMatching(/unreachable/) });
    expect(res.body.info.database.status).toBe('up');
  });

  it('answers 503 to a cooldown clear it cannot carry out', async () => {
    const res = await request(t.app.getHttpServer())
      .delete(`/autoheal/cooldown/${receiver.url('/hook')}`)
      .auth(t.token('operator'), { type: 'bearer' })
      .expect(503);
    expect(res.body.message).toMatch(/^Coordination store unreachable, cooldown not cleared/);
  });

  it('still records deliveries', async () => {
    await request(t.app.getHttpServer())
      .post('/deliveries')
      .auth(t.token('ingest'), { type: 'bearer' })
      .send([{ id: 'during_outage', tenant_id: 'tenant-1', target: receiver.url('/hook'), status: 'delivered', http_status: 200 }])
      .expect(200);
  });
});
