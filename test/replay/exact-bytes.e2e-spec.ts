import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import { RulesSource, StaticRulesSource } from '../../src/rules/rules.source';
import { DEFAULT_RULES } from '../../src/rules/rules.defaults';
import type { AutohealRules } from '../../src/rules/rules.types';
import { VerifyingReceiver } from '../signing/verifying-receiver';
import { eventually } from '../utils/eventually';
import { TEST_REDIS_URL } from '../utils/pg-admin';
import { deleteKeys } from '../utils/redis-keys';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const RULES = {
  ...DEFAULT_RULES,
  strategy_limits: { ...DEFAULT_RULES.strategy_limits, RECOVER_BACKLOG: { drain_rate_per_second: 100, drain_concurrency: 2 } },
} as unknown as AutohealRules;

/** What dispatchers send, and what jsonb would not keep: key order, whitespace, escapes, duplicate-looking numbers. */
const BODIES: Array<{ name: string; content_type: string; body: string }> = [
  {
    name: 'JSON, keys out of order, odd whitespace',
    content_type: 'application/json',
    body: '{ "z":1,\n  "a" : [ 1.0, 2e3, "\\u00e9t\\u00e9" ],\t"m":{"b":true , "a":null} ,"é":"€ 😀"}\n',
  },
  { name: 'JSON with a charset', content_type: 'application/json; charset=utf-8', body: '[3,2,1]' },
  { name: 'form-encoded', content_type: 'application/x-www-form-urlencoded', body: 'b=2&a=1&name=J%C3%BCrgen+M&empty=&a=3' },
  {
    name: 'XML',
    content_type: 'application/xml',
    body: '<?xml version="1.0"?>\n<order id="42">\n  <item sku="x" qty="1"/>\n  <!-- kept -->\n</order>',
  },
  { name: 'text', content_type: 'text/plain; charset=utf-8', body: '  leading and trailing spaces, tabs\tand\r\nCRLF  ' },
];

describe('Exact bytes: what the dispatcher sent is what every replay sends (PostgreSQL, Redis, a local receiver)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let receiver: VerifyingReceiver;
  let redis: Redis;
  const prefix = `bytes_${randomBytes(4).toString('hex')}:`;
  const http = () => request(t.app.getHttpServer());
  const as = (role: 'admin' | 'operator' | 'ingest') => `Bearer ${t.token(role, 'alice')}`;
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
  const sent = new Map<string, { body: string; content_type: string }>();
  let seq = 0;

  const report = async (path: string, tenant: string, createdAt: Date, fields: Array<{ body: string; content_type: string }>) => {
    const items = fields.map((f, n) => {
      const id = `byt_${++seq}_${randomBytes(3).toString('hex')}`;
      const content = { body: f.body, content_type: f.content_type };
      sent.set(id, content);
      return {
        id,
        tenant_id: tenant,
        target: receiver.url(path),
        status: 'failed',
        http_status: 503,
        error: 'HTTP 503',
        ...content,
        created_at: new Date(createdAt.getTime() + n).toISOString(),
      };
    });
    await http().post('/deliveries').set('Authorization', as('ingest')).send(items).expect(200);
    return items.map((i) => i.id);
  };
  /** Each request at `path` carries the bytes and content type its delivery was reported with. */
  const expectExact = (path: string) => {
    const got = receiver.at(path);
    expect(got.length).toBeGreaterThan(0);
    for (const r of got) {
      const original = sent.get(String(r.headers['x-aetherlink-delivery-id']))!;
      expect({ bytes: r.bytes.toString('hex'), type: r.headers['content-type'] }).toEqual({
        bytes: Buffer.from(original.body, 'utf8').toString('hex'),
        type: original.content_type,
      });
    }
  };

  beforeAll(async () => {
    receiver = await new VerifyingReceiver().start();
    db = await createTestDatabase();
    redis = new Redis(TEST_REDIS_URL);
    t = await createTestApp({
      env: { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, REPLAY_ALLOW_PRIVATE_TARGETS: 'true' },
      overrides: [[RulesSource, new StaticRulesSource(RULES)]],
    });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
    if (redis) {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    }
    await db?.drop();
  });

  it('stores the body unchanged, and reads a JSON body into payload', async () => {
    const [json, form] = await report('/stored', 'acme', minutesAgo(30), [BODIES[0], BODIES[2]]);
    const stored = (await http().get(`/deliveries/${json}`).set('Authorization', as('operator')).expect(200)).body;
    expect(stored).toMatchObject({ body: BODIES[0].body, content_type: 'application/json' });
    expect(stored.payload).toEqual(JSON.parse(BODIES[0].body));
    const formRow = (await http().get(`/deliveries/${form}`).set('Authorization', as('operator')).expect(200)).body;
    expect(formRow).toMatchObject({ body: BODIES[2].body, content_type: BODIES[2].content_type, payload: null });
  });

  it.each(BODIES.map((b, i) => [b.name, i] as const))('POST /deliveries/:id/replay sends %s byte for byte', async (_name, index) => {
    const path = `/single-${index}`;
    const [id] = await report(path, 'acme', minutesAgo(20), [BODIES[index]]);
    const res = await http().post(`/deliveries/${id}/replay`).set('Authorization', as('operator')).expect(200);
    expect(res.body).toMatchObject({ outcome: 'delivered', http_status: 200 });
    expect(receiver.at(path)).toHaveLength(1);
    expectExact(path);
  });

  it('an operator recovery (a paced drain) sends every body byte for byte', async () => {
    const since = minutesAgo(15);
    await report('/recovery', 'acme-recovery', minutesAgo(14), BODIES);
    const started = await http()
      .post('/autoheal/recoveries')
      .set('Authorization', as('operator'))
      .send({ tenant_id: 'acme-recovery', since: since.toISOString() })
      .expect(202);
    await eventually(async () => {
      const body = (await http().get(`/autoheal/recoveries/${started.body.id}`).set('Authorization', as('operator')).expect(200)).body;
      expect(body).toMatchObject({ state: 'completed', delivered: BODIES.length });
    });
    expect(receiver.at('/recovery')).toHaveLength(BODIES.length);
    expectExact('/recovery');
  });

  it("a healing cycle's sends (replay or probe and drain) carry the bytes as reported", async () => {
    const fresh = Array.from({ length: 8 }, (_, n) => BODIES[n % BODIES.length]);
    await report('/cycle', 'acme-cycle', minutesAgo(1), fresh);
    const run = await http().post('/autoheal/run').set('Authorization', as('admin')).expect(200);
    expect(run.body.actions_taken.map((a: { strategy: string }) => a.strategy)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(REPLAY_RECENT|RECOVER_BACKLOG)$/)]),
    );
    await eventually(() => expect(receiver.at('/cycle').length).toBeGreaterThan(0));
    expectExact('/cycle');
  });

  describe('validation: a 4xx saying what to fix', () => {
    const item = (fields: Record<string, unknown>) => ({
      id: `val_${++seq}`,
      tenant_id: 'acme',
      target: 'https://hooks.example.com/in',
      status: 'failed',
      ...fields,
    });
    const post = (fields: Record<string, unknown>) =>
      http()
        .post('/deliveries')
        .set('Authorization', as('ingest'))
        .send([item(fields)]);

    it.each([
      [{ body: '{"a":1}' }, 400, /^\[0\]\.content_type: required with body: the Content-Type the dispatcher sent/],
      [{ body: '{"a":1}', content_type: 'application/json', payload: { a: 2 } }, 400, /^\[0\]\.payload: differs from the JSON in body/],
      [{ body: 'a=1', content_type: 'application/x-www-form-urlencoded', payload: { a: 1 } }, 400, /^\[0\]\.payload: must be left out/],
      [
        { body: '{"a":', content_type: 'application/json' },
        400,
        /^\[0\]\.body: is not valid JSON \(.*\), but content_type is "application\/json"/,
      ],
      [{ body: '{"a":"\\u0000"}', content_type: 'application/json' }, 400, /^\[0\]\.body\.a: must not contain the NUL character/],
      [{ body: 42, content_type: 'text/plain' }, 400, /^\[0\]\.body: must be a string/],
      [{ body: 'x', content_type: 'not a type' }, 400, /^\[0\]\.content_type: must be a media type/],
      [{ content_type: 'application/json' }, 400, /^\[0\]\.content_type: describes body \(or payload\)/],
      [{ payload: { a: 1 }, content_type: 'text/xml' }, 400, /^\[0\]\.content_type: "text\/xml" needs the bytes in body/],
      [
        { body: 'x'.repeat(1024 * 1024 + 1), content_type: 'text/plain' },
        413,
        /^\[0\]\.body: is 1048577 bytes; at most 1048576 bytes \(1 MB\)/,
      ],
    ])('case %# answers the status and message', async (fields, status, message) => {
      const res = await post(fields as Record<string, unknown>).expect(status);
      expect(res.body.message).toMatch(message);
    });

    it('accepts a payload equal to the JSON body (any key order), and a JSON content type with a payload alone', async () => {
      await post({ body: '{"b":1,"a":[1,2]}', content_type: 'application/json', payload: { a: [1, 2], b: 1 } }).expect(200);
      await post({ payload: { a: 1 }, content_type: 'application/vnd.acme+json' }).expect(200);
    });

    it('a re-post with a payload replaces the body (never a mix of two reports)', async () => {
      const id = `val_repost_${++seq}`;
      const base = { id, tenant_id: 'acme', target: 'https://hooks.example.com/in', status: 'failed' };
      await http()
        .post('/deliveries')
        .set('Authorization', as('ingest'))
        .send([{ ...base, body: '<a/>', content_type: 'text/xml', attempted_at: minutesAgo(2).toISOString() }])
        .expect(200);
      await http()
        .post('/deliveries')
        .set('Authorization', as('ingest'))
        .send([{ ...base, payload: { v: 2 }, attempted_at: minutesAgo(1).toISOString() }])
        .expect(200);
      const row = (await http().get(`/deliveries/${id}`).set('Authorization', as('operator')).expect(200)).body;
      expect(row).toMatchObject({ body: null, content_type: null, payload: { v: 2 } });
      await http()
        .post('/deliveries')
        .set('Authorization', as('ingest'))
        .send([{ ...base, status: 'failed', error: 'again' }])
        .expect(200);
      expect((await http().get(`/deliveries/${id}`).set('Authorization', as('operator')).expect(200)).body).toMatchObject({
        body: null,
        payload: { v: 2 },
      });
    });
  });
});
