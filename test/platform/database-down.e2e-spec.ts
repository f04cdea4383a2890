import request from 'supertest';
import { TcpProxy } from '../coordination/tcp-proxy';
import type { Role } from '../../src/auth/roles';
import { outcome } from '../deliveries/delivery-fixtures';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const as = (t: TestApp, role: Role, test: request.Test) => test.auth(t.token(role), { type: 'bearer' });
const ingest = (t: TestApp) => as(t, 'ingest', request(t.app.getHttpServer()).post('/deliveries')).send([outcome({ id: 'down-1' })]);
const routes: Array<[string, (t: TestApp) => request.Test]> = [
  ['POST /deliveries', ingest],
  ['GET /deliveries', (t) => as(t, 'viewer', request(t.app.getHttpServer()).get('/deliveries'))],
  ['GET /deliveries/:id', (t) => as(t, 'viewer', request(t.app.getHttpServer()).get('/deliveries/down-1'))],
  ['GET /operator/audit', (t) => as(t, 'operator', request(t.app.getHttpServer()).get('/operator/audit'))],
];

async function expectUnavailable(t: TestApp, send: (t: TestApp) => request.Test): Promise<void> {
  const res = await send(t).set('x-request-id', 'outage-1');
  expect({ status: res.status, retryAfter: res.headers['retry-after'] }).toEqual({ status: 503, retryAfter: '5' });
  expect(res.body).toEqual({
    statusCode: 503,
    error: 'database_unavailable',
    message: expect.stringMatching(/retry in 5s/),
    request_id: 'outage-1',
  });
}

describe('every route answers 503 with Retry-After while PostgreSQL is unreachable', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    const url = new URL(db.url);
    proxy = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(await proxy.start());
    t = await createTestApp({ env: { DATABASE_URL: url.toString() } });
  });
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await proxy?.stop();
    await db?.drop();
  });

  it.each(routes)('%s: connections cut and refused → 503, then served again once it is back', async (_, send) => {
    await send(t).expect((res) => expect(res.status).toBeLessThan(500));
    await proxy.stop();
    await expectUnavailable(t, send);
    await proxy.start();
    await send(t).expect((res) => expect(res.status).toBeLessThan(500));
  });
});

describe('every route answers 503 with Retry-After when the database is gone', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp({ env: { DATABASE_URL: db.url } });
    await ingest(t).expect(200);
    await db.drop();
  });
  afterAll(async () => {
    await t?.close().catch(() => undefined);
  });

  it.each(routes)('%s → 503', async (_, send) => {
    await expectUnavailable(t, send);
  });
});
