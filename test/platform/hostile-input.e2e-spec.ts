import { sign } from 'jsonwebtoken';
import request from 'supertest';
import { outcome } from '../deliveries/delivery-fixtures';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const LONE_HIGH = '\ud800';
const LONE_LOW = '\udc00';
const SURROGATE = 'must not contain an unpaired UTF-16 surrogate';
const NUL = 'must not contain the NUL character';
const DELIVERY_FIELDS = '"tenant_id":"t","target":"https://hooks.example.com/a","status":"failed"';

/** `depth` arrays inside each other, as raw JSON text (a JS value that deep could not be serialised by supertest). */
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('hostile input is a 4xx naming the field, never a 500', () => {
  let db: TestDatabase;
  let t: TestApp;
  let ingest: string;
  let admin: string;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp({ env: { DATABASE_URL: db.url } });
    ingest = t.token('ingest', 'dispatcher-1');
    admin = t.token('admin');
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const postRaw = (text: string) =>
    http().post('/deliveries').auth(ingest, { type: 'bearer' }).set('content-type', 'application/json').send(text);

  describe('POST /deliveries bodies', () => {
    const valid = (id: string, extra: Record<string, unknown> = {}) => ({ ...outcome({ id }), ...extra });

    it.each<[string, unknown[], string]>([
      ['a lone high surrogate in a string', [valid('s-0'), valid('s-1', { error: `bad${LONE_HIGH}` })], `[1].error: ${SURROGATE}`],
      [
        'a lone low surrogate in the payload',
        [valid('s-2', { payload: { items: [{}, {}, { name: LONE_LOW }] } })],
        `[0].payload.items[2].name: ${SURROGATE}`,
      ],
      ['a lone surrogate in a payload key', [valid('s-3', { payload: { [`k${LONE_HIGH}`]: 1 } })], `[0].payload: ${SURROGATE}`],
      ['a NUL in the id', [valid('n\u0000-0')], `[0].id: ${NUL}`],
      [
        'a NUL deep in the payload',
        [valid('n-1'), valid('n-2'), valid('n-3'), valid('n-4', { payload: { items: [1, 2, { name: 'a\u0000b' }] } })],
        `[3].payload.items[2].name: ${NUL}`,
      ],
      ['a NUL in a payload key', [valid('n-5', { payload: { 'a\u0000b': 1 } })], `[0].payload: ${NUL}`],
      ['a "constructor" field', [valid('p-0', { constructor: { name: 'x' } })], '[0].constructor: property constructor should not exist'],
      ['a "prototype" field', [valid('p-1', { prototype: {} })], '[0].prototype: property prototype should not exist'],
      [
        'a "constructor" key in the payload',
        [valid('p-2', { payload: { a: { constructor: 1 } } })],
        '[0].payload.a.constructor: property constructor',
      ],
    ])('refuses %s', async (_, body, message) => {
      const res = await http().post('/deliveries').auth(ingest, { type: 'bearer' }).send(body).expect(400);
      expect(res.body.message).toContain(message);
    });

    it('refuses a "__proto__" field like any unknown field', async () => {
      const text = JSON.stringify([valid('p-3')]).replace(/^\[\{/, '[{"__proto__":{"admin":true},');
      const res = await postRaw(text).expect(400);
      expect(res.body.message).toContain('[0].__proto__: property __proto__ should not exist');
    });

    it.each([65, 5_000, 100_000])('refuses a payload nested %i levels, naming the limit', async (depth) => {
      const text = `[{"id":"deep-${depth}",${DELIVERY_FIELDS},"payload":${nested(depth)}}]`;
      const res = await postRaw(text).expect(400);
      expect(res.body.message).toMatch(/^\[0\]\.payload(\[0\])+: nested deeper than 64 levels/);
    });

    it('accepts a payload nested just inside the limit', async () => {
      const text = `[{"id":"deep-ok",${DELIVERY_FIELDS},"payload":${nested(62)}}]`;
      await postRaw(text).expect(200);
    });

    it('answers 413 for a delivery over 1 MB, naming it', async () => {
      const res = await http()
        .post('/deliveries')
        .auth(ingest, { type: 'bearer' })
        .send([valid('big-0'), valid('big-1', { payload: { blob: 'x'.repeat(1024 * 1024) } })])
        .expect(413);
      expect(res.body).toMatchObject({ statusCode: 413, message: expect.stringMatching(/^\[1\]: delivery is \d+ bytes; at most 1048576/) });
    });

    it('answers 413 for a batch body over 10 MB, with a message', async () => {
      const body = Array.from({ length: 11 }, (_, i) => valid(`huge-${i}`, { payload: 'x'.repeat(1000 * 1000) }));
      const res = await http().post('/deliveries').auth(ingest, { type: 'bearer' }).send(body).expect(413);
      expect(res.body).toMatchObject({ statusCode: 413, error: 'payload_too_large', message: expect.stringMatching(/larger than 10 MB/) });
    });
  });

  describe('queries, paths and other bodies', () => {
    it.each<[string, string, RegExp]>([
      ['a NUL in a query string', '/deliveries?tenant_id=a%00b', /^tenant_id: must not contain the NUL character/],
      ['a NUL in an audit query', '/operator/audit?action=a%00b', /^action: must not contain the NUL character/],
      ['a NUL in an audit tenant', '/operator/audit?tenant_id=x%00', /^tenant_id: must not contain the NUL character/],
      ['a NUL in a path', '/deliveries/a%00b', /^path: must not contain the NUL character/],
      ['a lone surrogate in a path', '/deliveries/a%ED%A0%80b', /^path: .*not valid/],
    ])('GET with %s is a 400', async (_, path, message) => {
      const res = await http().get(path).auth(admin, { type: 'bearer' }).expect(400);
      expect(res.body.message).toMatch(message);
    });

    const endpoint = 'https://x.example/h';
    it.each<[string, string, object, RegExp]>([
      [
        'a maintenance reason with NUL',
        '/autoheal/maintenance',
        { endpoint, minutes: 5, reason: 'a\u0000' },
        /^reason: must not contain the NUL/,
      ],
      [
        'a maintenance endpoint with NUL',
        '/autoheal/maintenance',
        { endpoint: `${endpoint}\u0000`, minutes: 5 },
        /^endpoint: must not contain the NUL/,
      ],
      [
        'a controls reason with NUL',
        '/autoheal/controls',
        { autoheal_enabled: true, reason: 'x\u0000y' },
        /^reason: must not contain the NUL/,
      ],
      [
        'a controls reason with a lone surrogate',
        '/autoheal/controls',
        { dry_run: true, reason: LONE_LOW },
        /^reason: must not contain an unpaired/,
      ],
      [
        'a "constructor" key in the controls body',
        '/autoheal/controls',
        { constructor: { x: 1 }, dry_run: true },
        /^constructor: property constructor/,
      ],
    ])('PUT with %s is a 400', async (_, path, body, message) => {
      const res = await http().put(path).auth(admin, { type: 'bearer' }).send(body).expect(400);
      expect(res.body.message).toMatch(message);
    });

    // A form body decodes %00 with no escape in its bytes: the quick scan of escape-free JSON must not cover it.
    it('a form-encoded controls body with an encoded NUL is a 400', async () => {
      const res = await http()
        .put('/autoheal/controls')
        .auth(admin, { type: 'bearer' })
        .set('content-type', 'application/x-www-form-urlencoded')
        .send('dry_run=true&reason=x%00y')
        .expect(400);
      expect(res.body.message).toMatch(/^reason: must not contain the NUL/);
    });

    it('an endpoint path parameter with an encoded NUL is a 400', async () => {
      const res = await http().delete('/autoheal/cooldown/https%3A%2F%2Fx.example%2Fh%00').auth(admin, { type: 'bearer' }).expect(400);
      expect(res.body.message).toMatch(/NUL/);
    });
  });

  describe('tokens', () => {
    const tokenWith = (claims: Record<string, unknown>) =>
      sign({ roles: ['admin'], ...claims }, t.config.jwt.secret, {
        algorithm: 'HS256',
        expiresIn: '5m',
        ...(t.config.jwt.issuer ? { issuer: t.config.jwt.issuer } : {}),
        ...(t.config.jwt.audience ? { audience: t.config.jwt.audience } : {}),
      });

    it.each<[string, unknown]>([
      ['a numeric sub', 42],
      ['an object sub', { id: 'x' }],
      ['an empty sub', ''],
    ])('refuses a token with %s (401)', async (_, sub) => {
      await http().get('/deliveries').auth(tokenWith({ sub }), { type: 'bearer' }).expect(401);
    });

    it('accepts the same token with a string sub', async () => {
      await http()
        .get('/deliveries')
        .auth(tokenWith({ sub: 'alice' }), { type: 'bearer' })
        .expect(200);
    });
  });
});
