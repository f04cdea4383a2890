import request from 'supertest';
import { Clock, ManualClock } from '../../src/clock/clock';
import { DeliveryStore } from '../../src/deliveries/delivery-store.port';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const EP = 'https://shop.example.com/hook';
const minutesAgo = (n: number) => new Date(NOW.getTime() - n * 60_000);

describe('the dashboard: page, /autoheal/me and /autoheal/insights/activity', () => {
  let db: TestDatabase;
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  const get = (path: string, token: string) => http().get(path).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp({ env: { DATABASE_URL: db.url }, overrides: [[Clock, new ManualClock(NOW)]] });
    const outcomes = [
      ...[55, 30, 30, 2].map((m, i) => ({ id: `f${i}`, at: minutesAgo(m), status: 'failed' as const })),
      { id: 'ok', at: minutesAgo(10), status: 'delivered' as const },
      { id: 'old', at: minutesAgo(61), status: 'failed' as const },
    ];
    await t.app.get(DeliveryStore).upsertBatch(
      outcomes.map((o) => ({ id: o.id, tenant_id: 'acme', target: EP, status: o.status, http_status: 503, attempted_at: o.at })),
      'dispatcher',
    );
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('serves the page and its assets without a token, under a policy that allows only its own files', async () => {
    const page = await http().get('/dashboard').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'/);
    expect(page.text).toContain('<script src="/dashboard/dashboard.js"');
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//); // no CDN
    const script = await http().get('/dashboard/dashboard.js').expect(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.text).toContain('sessionStorage.getItem(TOKEN_KEY)');
    await http()
      .get('/dashboard/dashboard.css')
      .expect(200)
      .expect('content-type', /^text\/css/);
    await http().get('/dashboard/../package.json').expect(404);
  });

  it('/autoheal/me says what each token may do', async () => {
    const me = async (token: string) => (await get('/autoheal/me', token).expect(200)).body;
    expect(await me(t.token('admin', 'root'))).toEqual({
      subject: 'root',
      roles: ['admin'],
      tenants: null,
      may: { read_autoheal: true, operate: true, controls: true },
    });
    expect((await me(t.token('operator'))).may).toEqual({ read_autoheal: true, operate: true, controls: false });
    expect((await me(t.token('viewer'))).may).toEqual({ read_autoheal: false, operate: false, controls: false });
    // A scoped admin may not flip the platform-wide kill switch, so the dashboard offers no such button.
    expect((await me(t.token('admin', 'a', '1h', ['acme']))).may.controls).toBe(false);
    await http().get('/autoheal/me').expect(401);
  });

  it('/autoheal/insights/activity: dense buckets of failures and heals over the window', async () => {
    const res = await get('/autoheal/insights/activity?minutes=60&bucket_seconds=600', t.token('viewer')).expect(200);
    expect(res.body).toMatchObject({ since: minutesAgo(60).toISOString(), until: NOW.toISOString(), bucket_seconds: 600 });
    expect(res.body.endpoints).toHaveLength(1);
    const [acme] = res.body.endpoints;
    expect(acme).toMatchObject({ tenant_id: 'acme', endpoint: EP, failures: 4, heals: 0 });
    expect(acme.buckets.map((b: { failures: number }) => b.failures)).toEqual([1, 0, 0, 2, 0, 1]);
    expect(acme.buckets[0].at).toBe(minutesAgo(60).toISOString());
    await get('/autoheal/insights/activity?minutes=0', t.token('viewer')).expect(400);
    await get('/autoheal/insights/activity?bucket_seconds=5', t.token('viewer')).expect(400);
    await get('/autoheal/insights/activity', t.token('ingest')).expect(403);
  });
});
