import { createHmac, randomBytes } from 'node:crypto';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { Clock } from '../../src/clock/clock';
import { eventually } from '../utils/eventually';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { githubVerifier, standardWebhooksVerifier, stripeStyleVerifier, VerifyingReceiver } from './verifying-receiver';

const SW_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const OTHER_SW_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const GH_SECRET = 'It’s a Secret to Everybody';
const STRIPE_SECRET = `whsec_${randomBytes(24).toString('hex')}`;
const JSON_BODY = '{"type":"invoice.paid",  "id":"evt_1",\n "data":{"z":1,"a":[3,2,1]}}';
const FORM_BODY = 'z=1&a=%E2%82%AC&a=2';
const HOUR_AGO = Math.floor(Date.now() / 1000) - 3600;
/** What the dispatcher's original send carried: signatures with the original timestamp. */
const STALE = {
  'webhook-id': 'msg_2LEhHQOA7Bzy1bXzdFJbI3dc2Vw',
  'webhook-timestamp': String(HOUR_AGO),
  'webhook-signature': 'v1,c3RhbGUgc2lnbmF0dXJl',
  'x-hub-signature-256': 'sha256=5c1e0000deadbeef',
  'stripe-signature': `t=${HOUR_AGO},v1=0000`,
  'x-tenant-ref': 'kept',
};

/** Real time, shifted: drains pace on it, and a test can put it behind the receivers' clocks. */
class ShiftedClock extends Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

describe('Re-signed replays, verified by real receivers (standardwebhooks, @octokit/webhooks-methods, a Stripe-style verifier)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let receiver: VerifyingReceiver;
  const clock = new ShiftedClock();
  const http = () => request(t.app.getHttpServer());
  const as = (role: 'admin' | 'operator' | 'ingest') => `Bearer ${t.token(role, 'alice')}`;
  let seq = 0;

  const report = async (path: string, fields: { body: string; content_type: string; headers?: Record<string, string> }) => {
    const id = `sig_${++seq}`;
    await http()
      .post('/deliveries')
      .set('Authorization', as('ingest'))
      .send([{ id, tenant_id: 'acme', target: receiver.url(path), status: 'failed', http_status: 503, headers: STALE, ...fields }])
      .expect(200);
    return id;
  };
  const sign = (path: string, settings: Record<string, unknown>) =>
    http()
      .put('/autoheal/endpoints/signing')
      .set('Authorization', as('admin'))
      .send({ tenant_id: 'acme', endpoint: receiver.url(path), ...settings })
      .expect(200);
  const replay = async (id: string) =>
    (await http().post(`/deliveries/${id}/replay`).set('Authorization', as('operator')).expect(200)).body;
  const lastAt = (path: string) => receiver.at(path).at(-1)!;

  beforeAll(async () => {
    receiver = await new VerifyingReceiver()
      .verify('/sw', standardWebhooksVerifier(SW_SECRET))
      .verify('/sw-unsigned', standardWebhooksVerifier(SW_SECRET))
      .verify('/sw-wrong-secret', standardWebhooksVerifier(OTHER_SW_SECRET))
      .verify('/gh', githubVerifier(GH_SECRET))
      .verify('/gh-form', githubVerifier(GH_SECRET))
      .verify('/gh-wrong-secret', githubVerifier(`${GH_SECRET}!`))
      .verify('/stripe', stripeStyleVerifier(STRIPE_SECRET))
      .verify('/stripe-stale-clock', stripeStyleVerifier(STRIPE_SECRET))
      .verify('/drain', standardWebhooksVerifier(SW_SECRET))
      .start();
    db = await createTestDatabase();
    t = await createTestApp({
      env: { DATABASE_URL: db.url, REPLAY_ALLOW_PRIVATE_TARGETS: 'true', SIGNING_KEYS: `k1:${randomBytes(32).toString('base64')}` },
      overrides: [[Clock, clock]],
    });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
    await db?.drop();
  });
  beforeEach(() => (clock.offsetMs = 0));

  it('standard-webhooks: the original webhook-id, a fresh timestamp, one new v1 signature; Webhook.verify accepts', async () => {
    await sign('/sw', { scheme: 'standard-webhooks', secret: SW_SECRET });
    const id = await report('/sw', { body: JSON_BODY, content_type: 'application/json' });
    expect(await replay(id)).toMatchObject({ outcome: 'delivered', http_status: 200 });
    const got = lastAt('/sw');
    expect(got.rejection).toBeNull();
    expect(got.bytes.toString()).toBe(JSON_BODY);
    expect(got.headers).toMatchObject({
      'webhook-id': STALE['webhook-id'],
      'webhook-timestamp': expect.stringMatching(/^\d+$/),
      'x-tenant-ref': 'kept',
    });
    expect(Math.abs(Number(got.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(got.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    // The other schemes' stale signatures are gone too.
    expect(got.headers['x-hub-signature-256']).toBeUndefined();
    expect(got.headers['stripe-signature']).toBeUndefined();
  });

  it('standard-webhooks: verification fails for other bytes (the body re-serialised, as before) or another secret', async () => {
    const got = lastAt('/sw');
    const reserialised = JSON.stringify(JSON.parse(got.bytes.toString()));
    expect(() => new Webhook(SW_SECRET).verify(reserialised, got.headers as Record<string, string>)).toThrow(/No matching signature found/);
    expect(() => new Webhook(OTHER_SW_SECRET).verify(got.bytes.toString(), got.headers as Record<string, string>)).toThrow(
      /No matching signature found/,
    );

    await sign('/sw-wrong-secret', { scheme: 'standard-webhooks', secret: SW_SECRET });
    const id = await report('/sw-wrong-secret', { body: JSON_BODY, content_type: 'application/json' });
    expect(await replay(id)).toMatchObject({ outcome: 'failed', http_status: 401 });
    expect(lastAt('/sw-wrong-secret').rejection).toMatch(/No matching signature found/);
  });

  it('without settings the stored headers go as they are: a verifying receiver rejects the stale timestamp', async () => {
    const id = await report('/sw-unsigned', { body: JSON_BODY, content_type: 'application/json' });
    expect(await replay(id)).toMatchObject({ outcome: 'failed', http_status: 401 });
    const got = lastAt('/sw-unsigned');
    expect(got.headers).toMatchObject({ 'webhook-timestamp': String(HOUR_AGO), 'webhook-signature': STALE['webhook-signature'] });
    expect(got.rejection).toMatch(/timestamp too old/);
  });

  it('hmac-sha256 (GitHub style): sha256=<hex> over the raw body, JSON or form-encoded; octokit verify accepts', async () => {
    await sign('/gh', { scheme: 'hmac-sha256', secret: GH_SECRET });
    await sign('/gh-form', { scheme: 'hmac-sha256', secret: GH_SECRET, header: 'X-Hub-Signature-256', prefix: 'sha256=' });
    const json = await report('/gh', { body: JSON_BODY, content_type: 'application/json' });
    const form = await report('/gh-form', { body: FORM_BODY, content_type: 'application/x-www-form-urlencoded' });
    expect(await replay(json)).toMatchObject({ outcome: 'delivered' });
    expect(await replay(form)).toMatchObject({ outcome: 'delivered' });
    for (const [path, body] of [
      ['/gh', JSON_BODY],
      ['/gh-form', FORM_BODY],
    ]) {
      const got = lastAt(path);
      expect(got.rejection).toBeNull();
      expect(got.bytes.toString()).toBe(body);
      expect(got.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', GH_SECRET).update(body).digest('hex')}`);
      expect(got.headers['webhook-signature']).toBeUndefined();
    }
    expect(lastAt('/gh-form').headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('hmac-sha256: a receiver with another secret rejects the replay', async () => {
    await sign('/gh-wrong-secret', { scheme: 'hmac-sha256', secret: GH_SECRET });
    const id = await report('/gh-wrong-secret', { body: JSON_BODY, content_type: 'application/json' });
    expect(await replay(id)).toMatchObject({ outcome: 'failed', http_status: 401 });
    expect(lastAt('/gh-wrong-secret').rejection).toBe('octokit: signature does not match');
  });

  it('stripe-style: t=<now>,v1=<hex> over "t.body", verified as Stripe documents; wrong secret or bytes fail', async () => {
    await sign('/stripe', { scheme: 'stripe-style', secret: STRIPE_SECRET });
    const id = await report('/stripe', { body: JSON_BODY, content_type: 'application/json' });
    expect(await replay(id)).toMatchObject({ outcome: 'delivered' });
    const got = lastAt('/stripe');
    expect(got.rejection).toBeNull();
    expect(got.headers['stripe-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(await stripeStyleVerifier(`${STRIPE_SECRET}x`)(got.bytes, got.headers)).toMatch(/no signatures found matching/);
    expect(await stripeStyleVerifier(STRIPE_SECRET)(Buffer.from(JSON.stringify(JSON.parse(JSON_BODY))), got.headers)).toMatch(
      /no signatures found matching/,
    );
  });

  it("the timestamp is the injected clock's: a clock 10 minutes behind makes the receiver reject it as stale", async () => {
    await sign('/stripe-stale-clock', { scheme: 'stripe-style', secret: STRIPE_SECRET });
    const id = await report('/stripe-stale-clock', { body: JSON_BODY, content_type: 'application/json' });
    clock.offsetMs = -10 * 60_000;
    expect(await replay(id)).toMatchObject({ outcome: 'failed', http_status: 401 });
    expect(lastAt('/stripe-stale-clock').rejection).toBe('stripe: timestamp outside the tolerance zone');
  });

  it('a recovery drain is re-signed too, and after DELETE the stale headers go as stored again', async () => {
    await sign('/drain', { scheme: 'standard-webhooks', secret: SW_SECRET });
    const ids = [await report('/drain', { body: JSON_BODY, content_type: 'application/json' })];
    ids.push(await report('/drain', { body: '[1, 2 ,3]', content_type: 'application/json' }));
    const started = await http()
      .post('/autoheal/recoveries')
      .set('Authorization', as('operator'))
      .send({ tenant_id: 'acme', endpoint: receiver.url('/drain'), since: new Date(Date.now() - 60_000).toISOString() })
      .expect(202);
    await eventually(async () => {
      const body = (await http().get(`/autoheal/recoveries/${started.body.id}`).set('Authorization', as('operator')).expect(200)).body;
      expect(body).toMatchObject({ state: 'completed', delivered: 2 });
    });
    expect(receiver.at('/drain').map((r) => r.rejection)).toEqual([null, null]);

    await http()
      .delete('/autoheal/endpoints/signing')
      .query({ tenant_id: 'acme', endpoint: receiver.url('/drain') })
      .set('Authorization', as('admin'))
      .expect(204);
    const id = await report('/drain', { body: '{"after":"delete"}', content_type: 'application/json' });
    expect(await replay(id)).toMatchObject({ outcome: 'failed', http_status: 401 });
    expect(lastAt('/drain').headers['webhook-signature']).toBe(STALE['webhook-signature']);
  });
});
