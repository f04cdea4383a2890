import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { RulesSource, StaticRulesSource } from '../../src/rules/rules.source';
import { DEFAULT_RULES } from '../../src/rules/rules.defaults';
import type { AutohealRules } from '../../src/rules/rules.types';
import { eventually } from '../utils/eventually';
import { HttpReceiver } from '../utils/http-receiver';
import { TEST_REDIS_URL } from '../utils/pg-admin';
import { deleteKeys } from '../utils/redis-keys';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const CONCURRENCY = 3;
const RATE = 100;
// Compressed pacing: RECOVER_BACKLOG's drain limits, as the rules carry them.
const RULES = {
  ...DEFAULT_RULES,
  strategy_limits: { ...DEFAULT_RULES.strategy_limits, RECOVER_BACKLOG: { drain_rate_per_second: RATE, drain_concurrency: CONCURRENCY } },
} as unknown as AutohealRules;

type Role = 'admin' | 'operator' | 'viewer' | 'ingest';

// What a sender that died mid-send leaves behind once abandonStale has run.
const ABANDON_SQL = `INSERT INTO delivery_attempts (delivery_id, attempted_at, source, actor, outcome, replay_key)
  VALUES ($1, now(), 'autoheal', 'system:autoheal', 'abandoned', $1 || ':autoheal:1')`;

describe('Operator recovery API: /autoheal/recoveries, POST /deliveries/:id/replay (PostgreSQL, BullMQ, a local receiver)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let receiver: HttpReceiver;
  let dataSource: DataSource;
  let redis: Redis;
  const prefix = `rec_${randomBytes(4).toString('hex')}:`;
  const http = () => request(t.app.getHttpServer());
  const as = (role: Role, subject = 'alice') => `Bearer ${t.token(role, subject)}`;
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
  let seq = 0;

  interface Seed {
    tenant?: string;
    path: string;
    status?: 'failed' | 'dead_letter' | 'delivered';
    http_status?: number;
    error?: string;
    created_at?: Date;
  }
  const seed = async (count: number, s: Seed): Promise<string[]> => {
    const ids = Array.from({ length: count }, () => `dlv_${++seq}_${randomBytes(3).toString('hex')}`);
    const items = ids.map((id, n) => ({
      id,
      tenant_id: s.tenant ?? 'acme',
      target: receiver.url(s.path),
      status: s.status ?? 'failed',
      http_status: s.http_status ?? (s.status === 'delivered' ? 200 : 503),
      error: s.error ?? (s.status === 'delivered' ? null : 'HTTP 503'),
      payload: { id, n },
      created_at: new Date((s.created_at ?? minutesAgo(30)).getTime() + n),
    }));
    await http().post('/deliveries').set('Authorization', as('ingest')).send(items).expect(200);
    return ids;
  };
  const recovery = async (id: string) =>
    (await http().get(`/autoheal/recoveries/${id}`).set('Authorization', as('operator')).expect(200)).body;
  const start = async (body: Record<string, unknown>) =>
    (await http().post('/autoheal/recoveries').set('Authorization', as('operator')).send(body).expect(202)).body;
  const deliveryIdsAt = (path: string) => receiver.at(path).map((r) => r.headers['x-aetherlink-delivery-id']);

  beforeAll(async () => {
    receiver = await new HttpReceiver().start();
    db = await createTestDatabase();
    redis = new Redis(TEST_REDIS_URL);
    t = await createTestApp({
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        REPLAY_ALLOW_PRIVATE_TARGETS: 'true',
        REPLAY_TIMEOUT_MS: '5000',
      },
      overrides: [[RulesSource, new StaticRulesSource(RULES)]],
    });
    dataSource = t.app.get(DataSource);
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
  beforeEach(() => {
    receiver.status = 200;
    receiver.delayMs = 0;
  });

  describe('plan (dry_run)', () => {
    let since: string;
    beforeAll(async () => {
      since = minutesAgo(60).toISOString();
      await seed(3, { path: '/plan-a', created_at: minutesAgo(50) });
      await seed(2, { path: '/plan-b', status: 'dead_letter', created_at: minutesAgo(20), http_status: 400, error: 'HTTP 400' });
      await seed(1, { path: '/plan-a', status: 'delivered', created_at: minutesAgo(45) });
      await seed(1, { path: '/plan-a', tenant: 'someone-else', created_at: minutesAgo(45) });
      await seed(1, { path: '/plan-a', created_at: minutesAgo(90) });
      // Abandoned mid-send: its claim keeps it out of a recovery (POST /deliveries/:id/replay sends it).
      const [abandoned] = await seed(1, { path: '/plan-a', created_at: minutesAgo(40) });
      await dataSource.query(ABANDON_SQL, [abandoned]);
    });

    it('counts per endpoint with the oldest and newest, and estimates the duration at the pacing; nothing is sent or stored', async () => {
      const res = await http()
        .post('/autoheal/recoveries')
        .set('Authorization', as('operator'))
        .send({ tenant_id: 'acme', since, dry_run: true })
        .expect(200);
      expect(res.body).toEqual({
        dry_run: true,
        tenant_id: 'acme',
        endpoint: null,
        per_endpoint: [
          { endpoint: receiver.url('/plan-a'), count: 3, oldest_at: expect.any(String), newest_at: expect.any(String) },
          { endpoint: receiver.url('/plan-b'), count: 2, oldest_at: expect.any(String), newest_at: expect.any(String) },
        ],
        total: 5,
        estimated_duration_seconds: 0.1,
        pacing: { drain_rate_per_second: RATE, drain_concurrency: CONCURRENCY },
      });
      const [a, b] = res.body.per_endpoint;
      expect(new Date(a.newest_at).getTime() - new Date(a.oldest_at).getTime()).toBe(2);
      expect(new Date(b.oldest_at).getTime()).toBeGreaterThan(new Date(a.newest_at).getTime());
      expect(receiver.at('/plan-a')).toHaveLength(0);
      const list = await http().get('/autoheal/recoveries?tenant_id=acme').set('Authorization', as('operator')).expect(200);
      expect(list.body.recoveries).toEqual([]);
    });

    it('narrows by endpoint, status, triage label and until', async () => {
      const plan = async (extra: Record<string, unknown>) =>
        (
          await http()
            .post('/autoheal/recoveries')
            .set('Authorization', as('admin'))
            .send({ tenant_id: 'acme', since, dry_run: true, ...extra })
            .expect(200)
        ).body;
      expect((await plan({ endpoint: receiver.url('/plan-b') })).total).toBe(2);
      expect((await plan({ statuses: ['dead_letter'] })).per_endpoint.map((e: { endpoint: string }) => e.endpoint)).toEqual([
        receiver.url('/plan-b'),
      ]);
      expect((await plan({ triage_labels: ['transient_endpoint_down'] })).total).toBe(3);
      expect((await plan({ until: minutesAgo(30).toISOString() })).total).toBe(3);
      expect(
        (await plan({ statuses: ['failed'], triage_labels: ['transient_endpoint_down'], endpoint: receiver.url('/plan-b') })).per_endpoint,
      ).toEqual([]);
    });
  });

  it('recovers every delivery exactly once, oldest first, never more than drain_concurrency at once, and reports progress', async () => {
    const ids = await seed(40, { tenant: 'beta', path: '/full', created_at: minutesAgo(20) });
    receiver.delayMs = 20;
    receiver.maxInFlight = 0;
    const created = await start({ tenant_id: 'beta', since: minutesAgo(60).toISOString() });
    expect(created).toMatchObject({
      id: expect.any(String),
      state: 'queued',
      total: 40,
      sent: 0,
      remaining: 40,
      created_by: 'alice',
      tenant_id: 'beta',
    });

    await eventually(async () => expect((await recovery(created.id)).state).toBe('completed'));
    expect(await recovery(created.id)).toMatchObject({
      total: 40,
      sent: 40,
      delivered: 40,
      failed: 0,
      skipped: 0,
      remaining: 0,
      error: null,
      finished_at: expect.any(String),
    });
    // Each once; oldest first is the order the sends start (are claimed): requests in flight together may arrive in any order.
    expect([...deliveryIdsAt('/full')].sort()).toEqual([...ids].sort());
    expect(deliveryIdsAt('/full')).toHaveLength(ids.length);
    const claimedAt: Array<{ delivery_id: string; at: string }> = await dataSource.query(
      `SELECT delivery_id, to_char(attempted_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at
         FROM delivery_attempts WHERE delivery_id = ANY($1) AND source = 'autoheal'`,
      [ids],
    );
    const claimOf = new Map(claimedAt.map((c) => [c.delivery_id, c.at]));
    const inOrder = ids.map((id) => claimOf.get(id)!);
    expect(inOrder.every((at, i) => i === 0 || inOrder[i - 1] <= at)).toBe(true);
    expect(receiver.maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
    const statuses = await dataSource.query(`SELECT status, count(*)::int AS n FROM deliveries WHERE id = ANY($1) GROUP BY status`, [ids]);
    expect(statuses).toEqual([{ status: 'delivered', n: 40 }]);
    const attempts = await dataSource.query(
      `SELECT DISTINCT cycle_id::text AS run, actor, outcome FROM delivery_attempts WHERE delivery_id = ANY($1) AND source = 'autoheal'`,
      [ids],
    );
    expect(attempts).toEqual([{ run: created.id, actor: 'alice', outcome: 'succeeded' }]);

    // The same request again finds nothing left to send.
    const again = await start({ tenant_id: 'beta', since: minutesAgo(60).toISOString() });
    expect(again.total).toBe(0);
    await eventually(async () => expect((await recovery(again.id)).state).toBe('completed'));
    expect(receiver.at('/full')).toHaveLength(40);

    const listed = await http().get('/autoheal/recoveries?tenant_id=beta&state=completed').set('Authorization', as('operator')).expect(200);
    expect(listed.body.recoveries.map((r: { id: string }) => r.id)).toEqual([again.id, created.id]);
    const audit = await http().get('/operator/audit?action=recovery_create').set('Authorization', as('admin')).expect(200);
    expect(audit.body).toEqual(expect.arrayContaining([expect.objectContaining({ operator_id: 'alice', tenant_id: 'beta' })]));
  });

  it('a cancel stops a running recovery before its next send: what was in flight is counted, the rest remains', async () => {
    const ids = await seed(90, { tenant: 'gamma', path: '/slow', created_at: minutesAgo(20) });
    receiver.delayMs = 150;
    const created = await start({ tenant_id: 'gamma', since: minutesAgo(60).toISOString() });
    await eventually(async () => expect((await recovery(created.id)).sent).toBeGreaterThan(0), 20_000, 50);
    const running = await recovery(created.id);
    expect(running).toMatchObject({ state: 'running', total: 90 });
    expect(running.remaining).toBe(90 - running.sent);

    const cancelled = await http().delete(`/autoheal/recoveries/${created.id}`).set('Authorization', as('operator', 'bob')).expect(200);
    expect(cancelled.body).toMatchObject({ state: 'cancelled', cancelled_by: 'bob' });
    const receivedAtCancel = receiver.at('/slow').length;

    // Every send that went out is settled and counted. Each of the drain_concurrency workers checks the state before
    // its next send, so at most one send per worker (one that passed its check as the cancel committed) starts after it.
    await eventually(async () => {
      const pending = await dataSource.query(
        `SELECT count(*)::int AS n FROM delivery_attempts WHERE delivery_id = ANY($1) AND outcome = 'pending'`,
        [ids],
      );
      expect(pending).toEqual([{ n: 0 }]);
      expect((await recovery(created.id)).sent).toBe(receiver.at('/slow').length);
    });
    const final = await recovery(created.id);
    expect(final.state).toBe('cancelled');
    expect(final.sent).toBeLessThanOrEqual(receivedAtCancel + CONCURRENCY);
    expect(final.remaining).toBe(90 - final.sent);
    expect(final.remaining).toBeGreaterThan(0);
    expect(new Set(deliveryIdsAt('/slow')).size).toBe(final.sent);

    await http().delete(`/autoheal/recoveries/${created.id}`).set('Authorization', as('operator')).expect(409);
  });

  it('the kill switch stops a running recovery and says why; no recovery starts while it is off', async () => {
    await seed(90, { tenant: 'delta', path: '/killed', created_at: minutesAgo(20) });
    receiver.delayMs = 150;
    const created = await start({ tenant_id: 'delta', since: minutesAgo(60).toISOString() });
    await eventually(async () => expect((await recovery(created.id)).sent).toBeGreaterThan(0), 20_000, 50);
    await http()
      .put('/autoheal/controls')
      .set('Authorization', as('admin'))
      .send({ autoheal_enabled: false, reason: 'incident review' })
      .expect(200);
    try {
      await eventually(async () => expect((await recovery(created.id)).state).toBe('failed'));
      const stopped = await recovery(created.id);
      expect(stopped.error).toBe('stopped: auto-healing is disabled (kill switch): incident review');
      expect(stopped.remaining).toBeGreaterThan(0);
      const refused = await http()
        .post('/autoheal/recoveries')
        .set('Authorization', as('operator'))
        .send({ tenant_id: 'delta', since: minutesAgo(60).toISOString() })
        .expect(409);
      expect(refused.body.message).toMatch(/kill switch/);
    } finally {
      await http().put('/autoheal/controls').set('Authorization', as('admin')).send({ autoheal_enabled: null }).expect(200);
    }
  });

  describe('POST /deliveries/:id/replay', () => {
    it('re-sends a failed delivery once; a delivered one is not re-sent', async () => {
      const [id] = await seed(1, { path: '/one' });
      const res = await http().post(`/deliveries/${id}/replay`).set('Authorization', as('operator', 'carol')).expect(200);
      expect(res.body).toEqual({
        delivery_id: id,
        tenant_id: 'acme',
        outcome: 'delivered',
        http_status: 200,
        error: null,
        attempts: 2,
        attempt_id: expect.any(String),
      });
      expect(deliveryIdsAt('/one')).toEqual([id]);
      const again = await http().post(`/deliveries/${id}/replay`).set('Authorization', as('operator')).expect(409);
      expect(again.body).toMatchObject({ error: 'not_replayable', message: expect.stringMatching(/is delivered/) });
      expect(receiver.at('/one')).toHaveLength(1);
      const audit = await http().get('/operator/audit?action=delivery_replay').set('Authorization', as('admin')).expect(200);
      expect(audit.body).toEqual(
        expect.arrayContaining([expect.objectContaining({ operator_id: 'carol', resource_id: id, tenant_id: 'acme' })]),
      );
    });

    it('re-sends an abandoned delivery, which the automatic path never would', async () => {
      const [id] = await seed(1, { path: '/abandoned' });
      await dataSource.query(ABANDON_SQL, [id]);
      receiver.status = 503;
      const failed = await http().post(`/deliveries/${id}/replay`).set('Authorization', as('admin')).expect(200);
      expect(failed.body).toMatchObject({ outcome: 'failed', http_status: 503, attempts: 2 });
      receiver.status = 200;
      const delivered = await http().post(`/deliveries/${id}/replay`).set('Authorization', as('admin')).expect(200);
      expect(delivered.body).toMatchObject({ outcome: 'delivered', http_status: 200, attempts: 3 });
      expect(deliveryIdsAt('/abandoned')).toEqual([id, id]);
    });

    it('two calls at once: one sends, the other gets 409 while it is in flight', async () => {
      const [id] = await seed(1, { path: '/racing' });
      receiver.delayMs = 300;
      const [a, b] = await Promise.all([0, 1].map(() => http().post(`/deliveries/${id}/replay`).set('Authorization', as('operator'))));
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      expect([a, b].find((r) => r.status === 409)!.body).toMatchObject({ error: 'replay_in_flight' });
      expect(receiver.at('/racing')).toHaveLength(1);
    });

    it('404 for an unknown delivery; viewers and ingest tokens may not re-send', async () => {
      await http().post('/deliveries/dlv_nope/replay').set('Authorization', as('operator')).expect(404);
      const [id] = await seed(1, { path: '/roles' });
      await http().post(`/deliveries/${id}/replay`).set('Authorization', as('viewer')).expect(403);
      await http().post(`/deliveries/${id}/replay`).set('Authorization', as('ingest')).expect(403);
      await http().post(`/deliveries/${id}/replay`).expect(401);
      expect(receiver.at('/roles')).toHaveLength(0);
    });
  });

  describe('validation and roles', () => {
    const post = (body: Record<string, unknown>, role: Role = 'operator') =>
      http().post('/autoheal/recoveries').set('Authorization', as(role)).send(body);

    it.each<[string, () => Record<string, unknown>, RegExp]>([
      ['no tenant', () => ({ since: minutesAgo(5).toISOString() }), /tenant_id: must be a string/],
      ['no since', () => ({ tenant_id: 'acme' }), /since: must be an ISO 8601 date/],
      [
        'since after until',
        () => ({ tenant_id: 'acme', since: minutesAgo(5).toISOString(), until: minutesAgo(10).toISOString() }),
        /until: must be after since/,
      ],
      [
        'since older than 30 days',
        () => ({ tenant_id: 'acme', since: new Date(Date.now() - 31 * 86_400_000).toISOString() }),
        /since: must be within the last 30 days/,
      ],
      [
        'since in the future',
        () => ({ tenant_id: 'acme', since: new Date(Date.now() + 3_600_000).toISOString() }),
        /since: must not be in the future/,
      ],
      [
        'a status that is not a failure',
        () => ({ tenant_id: 'acme', since: minutesAgo(5).toISOString(), statuses: ['delivered'] }),
        /statuses: each must be one of: failed, dead_letter/,
      ],
      [
        'an unknown triage label',
        () => ({ tenant_id: 'acme', since: minutesAgo(5).toISOString(), triage_labels: ['bogus'] }),
        /triage_labels: each must be one of/,
      ],
      ['a bad endpoint', () => ({ tenant_id: 'acme', since: minutesAgo(5).toISOString(), endpoint: 'ftp://x' }), /endpoint/],
      ['an unknown field', () => ({ tenant_id: 'acme', since: minutesAgo(5).toISOString(), rate: 5 }), /property rate should not exist/],
      [
        'dry_run not a boolean',
        () => ({ tenant_id: 'acme', since: minutesAgo(5).toISOString(), dry_run: 'yes' }),
        /dry_run: must be a boolean/,
      ],
    ])('400 for %s, naming the field', async (_name, body, message) => {
      const res = await post(body()).expect(400);
      expect(res.body.message).toMatch(message);
    });

    it('400 for an id that is not a UUID, 404 for an unknown one', async () => {
      expect((await http().get('/autoheal/recoveries/nope').set('Authorization', as('operator')).expect(400)).body.message).toMatch(
        /id: must be a UUID/,
      );
      await http().get('/autoheal/recoveries/00000000-0000-4000-8000-000000000000').set('Authorization', as('operator')).expect(404);
      await http().delete('/autoheal/recoveries/00000000-0000-4000-8000-000000000000').set('Authorization', as('operator')).expect(404);
      expect((await http().get('/autoheal/recoveries?state=done').set('Authorization', as('operator')).expect(400)).body.message).toMatch(
        /state: must be one of/,
      );
    });

    it('operators and admins only', async () => {
      const body = { tenant_id: 'acme', since: minutesAgo(5).toISOString(), dry_run: true };
      await post(body, 'viewer').expect(403);
      await post(body, 'ingest').expect(403);
      await http().post('/autoheal/recoveries').send(body).expect(401);
      await http().get('/autoheal/recoveries').set('Authorization', as('viewer')).expect(403);
      await http().get('/autoheal/recoveries/00000000-0000-4000-8000-000000000000').set('Authorization', as('ingest')).expect(403);
      await post(body, 'admin').expect(200);
    });
  });
});
