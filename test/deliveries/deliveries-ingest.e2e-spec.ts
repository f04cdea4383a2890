import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Clock, ManualClock } from '../../src/clock/clock';
import { DeliveryStore } from '../../src/deliveries/delivery-store.port';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { getAs, outcome, postBatch } from './delivery-fixtures';

describe('POST /deliveries: the ledger', () => {
  const start = new Date('2025-03-01T10:00:00.000Z');
  const clock = new ManualClock(start);
  let db: TestDatabase;
  let t: TestApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    // `customize`, because `overrides` does not accept an abstract class token.
    t = await createTestApp({ env: { DATABASE_URL: db.url }, customize: (builder) => builder.overrideProvider(Clock).useValue(clock) });
    dataSource = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const count = async (sql: string, params: unknown[] = []): Promise<number> => Number((await dataSource.query(sql, params))[0].n);

  it('inserts, then a re-post updates instead of duplicating and counts the same attempt once', async () => {
    const at = '2025-03-01T09:59:00.000Z';
    const batch = [
      outcome({ id: 'ing-1', status: 'pending', http_status: undefined }),
      outcome({ id: 'ing-2', status: 'failed', http_status: 503, error: 'Service Unavailable', attempted_at: at, payload: { n: 2 } }),
      outcome({ id: 'ing-3', status: 'delivered', http_status: 200, attempted_at: at }),
    ];
    expect((await postBatch(t, batch).expect(200)).body).toEqual({ inserted: 3, updated: 0 });
    expect((await postBatch(t, batch).expect(200)).body).toEqual({ inserted: 0, updated: 3 });

    expect(await count(`SELECT count(*) AS n FROM deliveries WHERE id LIKE 'ing-%'`)).toBe(3);
    expect(await count(`SELECT count(*) AS n FROM delivery_attempts WHERE delivery_id LIKE 'ing-%'`)).toBe(2);

    const pending = (await getAs(t, '/deliveries/ing-1').expect(200)).body;
    expect(pending).toMatchObject({ status: 'pending', attempts: 0, last_attempt_at: null, triage_label: null, attempt_history: [] });

    const failed = (await getAs(t, '/deliveries/ing-2').expect(200)).body;
    expect(failed).toMatchObject({
      id: 'ing-2',
      tenant_id: 'tenant-a',
      target: 'https://hooks.example.com/a',
      status: 'failed',
      http_status: 503,
      error: 'Service Unavailable',
      triage_label: 'transient_endpoint_down',
      triage_score: 0.95,
      attempts: 1,
      last_attempt_at: at,
      payload: { n: 2 },
      created_at: start.toISOString(),
    });
    expect(failed.attempt_history).toEqual([
      expect.objectContaining({
        attempted_at: at,
        source: 'dispatcher',
        actor: 'dispatcher-1',
        outcome: 'failed',
        http_status: 503,
        error: 'Service Unavailable',
      }),
    ]);

    const delivered = (await getAs(t, '/deliveries/ing-3').expect(200)).body;
    expect(delivered).toMatchObject({ attempts: 1, triage_label: null, triage_score: null });
    expect(delivered.attempt_history[0]).toMatchObject({ outcome: 'succeeded', http_status: 200 });
  });

  it('a later outcome replaces status, code, error and triage; keeps what it leaves out; counts the new attempt', async () => {
    const first = '2025-03-01T09:00:00.000Z';
    const second = '2025-03-01T09:05:00.000Z';
    await postBatch(t, [
      outcome({
        id: 'upd-1',
        status: 'failed',
        http_status: 429,
        error: 'slow down',
        event_type: 'order.paid',
        attempted_at: first,
        payload: { a: 1 },
        headers: { 'x-trace': '1' },
        created_at: '2025-03-01T08:59:00Z',
      }),
    ]).expect(200);
    const res = await postBatch(t, [
      outcome({ id: 'upd-1', status: 'delivered', http_status: 200, attempted_at: second, created_at: '2025-03-01T09:04:00Z' }),
    ]).expect(200);
    expect(res.body).toEqual({ inserted: 0, updated: 1 });

    const body = (await getAs(t, '/deliveries/upd-1').expect(200)).body;
    expect(body).toMatchObject({
      status: 'delivered',
      http_status: 200,
      error: null,
      triage_label: null,
      triage_score: null,
      event_type: 'order.paid',
      payload: { a: 1 },
      headers: { 'x-trace': '1' },
      attempts: 2,
      last_attempt_at: second,
      created_at: '2025-03-01T08:59:00.000Z',
    });
    expect(body.attempt_history.map((a: { attempted_at: string; outcome: string }) => [a.attempted_at, a.outcome])).toEqual([
      [second, 'succeeded'],
      [first, 'failed'],
    ]);

    // An older attempt arriving late is counted, but it neither moves last_attempt_at back nor
    // undoes the newer outcome (a stale `failed` must not make a delivered webhook replayable), nor
    // replaces what a replay would send (issue 7: only a newer report changes payload and headers).
    await postBatch(t, [
      outcome({
        id: 'upd-1',
        status: 'failed',
        http_status: 500,
        attempted_at: '2025-03-01T08:59:30.000Z',
        payload: null,
        headers: { 'x-trace': '2' },
      }),
    ]).expect(200);
    const late = (await getAs(t, '/deliveries/upd-1').expect(200)).body;
    expect(late).toMatchObject({
      attempts: 3,
      last_attempt_at: second,
      payload: { a: 1 },
      headers: { 'x-trace': '1' },
      status: 'delivered',
      http_status: 200,
      triage_label: null,
    });
  });

  it('without attempted_at, the attempt is stamped with the request time', async () => {
    const body = [outcome({ id: 'clk-1', status: 'failed', http_status: 502 })];
    clock.set(new Date('2025-03-01T11:00:00.000Z'));
    await postBatch(t, body).expect(200);
    await postBatch(t, body).expect(200);
    clock.advance(60_000);
    await postBatch(t, body).expect(200);

    const delivery = (await getAs(t, '/deliveries/clk-1').expect(200)).body;
    expect(delivery.attempts).toBe(2);
    expect(delivery.last_attempt_at).toBe('2025-03-01T11:01:00.000Z');
    expect(delivery.updated_at).toBe('2025-03-01T11:01:00.000Z');
    expect(delivery.created_at).toBe('2025-03-01T11:00:00.000Z');
  });

  it('stores the M1 triage of each failure', async () => {
    const cases: Array<[string, Record<string, unknown>, string | null, number | null]> = [
      ['tri-503', { http_status: 503 }, 'transient_endpoint_down', 0.95],
      ['tri-refused', { http_status: null, error: 'connect ECONNREFUSED 10.0.0.1:443' }, 'transient_endpoint_down', 0.85],
      ['tri-429', { http_status: 429, status: 'dead_letter' }, 'rate_limited', 0.95],
      ['tri-422', { http_status: 422 }, 'invalid_payload', 0.9],
      ['tri-410', { http_status: 410, status: 'dead_letter' }, 'permanent_4xx', 0.95],
      ['tri-none', { http_status: undefined }, 'unknown', 0.1],
      ['tri-ok', { http_status: 200, status: 'delivered' }, null, null],
    ];
    await postBatch(
      t,
      cases.map(([id, fields]) => outcome({ id, ...fields })),
    ).expect(200);
    const stored = await dataSource.query(`SELECT id, triage_label, triage_score FROM deliveries WHERE id LIKE 'tri-%'`);
    const byId = Object.fromEntries(
      stored.map((row: { id: string; triage_label: string; triage_score: number }) => [row.id, [row.triage_label, row.triage_score]]),
    );
    for (const [id, , label, score] of cases) expect([id, byId[id]]).toEqual([id, [label, score]]);
  });

  it('refuses a batch naming the same id twice, and writes none of it', async () => {
    const res = await postBatch(t, [
      outcome({ id: 'dup-0' }),
      outcome({ id: 'dup-1' }),
      outcome({ id: 'dup-0', status: 'delivered' }),
    ]).expect(400);
    expect(res.body.message).toContain('[2].id: duplicate delivery id "dup-0" (also at [0])');
    expect(await count(`SELECT count(*) AS n FROM deliveries WHERE id LIKE 'dup-%'`)).toBe(0);
  });

  it('is one transaction: an id of another tenant (found by the upsert) rolls back the items before it', async () => {
    await postBatch(t, [outcome({ id: 'own-1', tenant_id: 'tenant-b' })]).expect(200);
    const res = await postBatch(t, [
      outcome({ id: 'tx-new-1' }),
      outcome({ id: 'own-1', tenant_id: 'tenant-a', status: 'delivered' }),
    ]).expect(409);
    expect(res.body.message).toContain('[1].tenant_id: delivery "own-1" is already recorded for another tenant');
    expect(await count(`SELECT count(*) AS n FROM deliveries WHERE id = 'tx-new-1'`)).toBe(0);
    const kept = (await getAs(t, '/deliveries/own-1').expect(200)).body;
    expect(kept).toMatchObject({ tenant_id: 'tenant-b', status: 'failed', attempts: 1 });
  });

  it('is one transaction: a database error while recording attempts leaves no delivery behind', async () => {
    await postBatch(t, [outcome({ id: 'tx-old', status: 'failed', http_status: 500, attempted_at: '2025-03-01T07:00:00Z' })]).expect(200);
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query(`
        CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.delivery_id = 'tx-boom' THEN RAISE EXCEPTION 'provoked failure for %', NEW.delivery_id; END IF;
          RETURN NEW;
        END $$`);
      await admin.query(`CREATE TRIGGER refuse_boom BEFORE INSERT ON delivery_attempts FOR EACH ROW EXECUTE FUNCTION refuse_boom()`);

      await postBatch(t, [
        outcome({ id: 'tx-a', status: 'delivered', http_status: 200 }),
        outcome({ id: 'tx-boom', status: 'failed' }),
        outcome({ id: 'tx-old', status: 'delivered', http_status: 200, attempted_at: '2025-03-01T07:10:00Z' }),
      ]).expect(500);
    } finally {
      await admin.query(`DROP TRIGGER IF EXISTS refuse_boom ON delivery_attempts`);
      await admin.query(`DROP FUNCTION IF EXISTS refuse_boom()`);
      await admin.end();
    }
    expect(await count(`SELECT count(*) AS n FROM deliveries WHERE id IN ('tx-a', 'tx-boom')`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM delivery_attempts WHERE delivery_id IN ('tx-a', 'tx-boom')`)).toBe(0);
    const old = (await getAs(t, '/deliveries/tx-old').expect(200)).body;
    expect(old).toMatchObject({ status: 'failed', http_status: 500, attempts: 1 });
  });

  it('is one transaction at the store too: a CHECK violation in the second item leaves the first unwritten', async () => {
    const store = t.app.get(DeliveryStore);
    await expect(
      store.upsertBatch(
        [
          { id: 'chk-1', tenant_id: 'tenant-a', target: 'https://hooks.example.com/a', status: 'failed', http_status: 503 },
          { id: 'chk-2', tenant_id: 'tenant-a', target: 'https://hooks.example.com/a', status: 'exploded' as never },
        ],
        'test',
      ),
    ).rejects.toThrow(/check constraint/);
    expect(await count(`SELECT count(*) AS n FROM deliveries WHERE id LIKE 'chk-%'`)).toBe(0);
  });

  it('takes a full batch of 1000 in one request', async () => {
    const batch = Array.from({ length: 1000 }, (_, i) =>
      outcome({
        id: `big-${i}`,
        tenant_id: `tenant-${i % 7}`,
        status: i % 2 ? 'failed' : 'delivered',
        http_status: i % 2 ? 503 : 200,
        attempted_at: '2025-03-01T06:00:00Z',
      }),
    );
    expect((await postBatch(t, batch).expect(200)).body).toEqual({ inserted: 1000, updated: 0 });
    expect((await postBatch(t, batch).expect(200)).body).toEqual({ inserted: 0, updated: 1000 });
    expect(await count(`SELECT count(*) AS n FROM deliveries WHERE id LIKE 'big-%'`)).toBe(1000);
    expect(await count(`SELECT count(*) AS n FROM delivery_attempts WHERE delivery_id LIKE 'big-%'`)).toBe(1000);
    expect(await count(`SELECT count(*) AS n FROM deliveries WHERE id LIKE 'big-%' AND attempts = 1`)).toBe(1000);
  });

  it('counts an attempt once when the same report races in several requests, and every distinct attempt exactly once', async () => {
    const store = t.app.get(DeliveryStore);
    const report = (attemptedAt: string) =>
      Array.from({ length: 50 }, (_, i) => ({
        id: `race-${i}`,
        tenant_id: 'tenant-a',
        target: 'https://hooks.example.com/a',
        status: 'failed' as const,
        http_status: 503,
        attempted_at: new Date(attemptedAt),
      }));
    const same = await Promise.all(Array.from({ length: 4 }, () => store.upsertBatch(report('2025-03-01T08:00:00Z'), 'dispatcher-1')));
    expect(same.reduce((sum, r) => sum + r.inserted, 0)).toBe(50);
    expect(await count(`SELECT count(*) AS n FROM deliveries WHERE id LIKE 'race-%' AND attempts = 1`)).toBe(50);
    expect(await count(`SELECT count(*) AS n FROM delivery_attempts WHERE delivery_id LIKE 'race-%'`)).toBe(50);

    const times = ['2025-03-01T08:01:00Z', '2025-03-01T08:02:00Z', '2025-03-01T08:03:00Z', '2025-03-01T08:04:00Z'];
    await Promise.all(times.map((at) => store.upsertBatch(report(at), 'dispatcher-1')));
    expect(await count(`SELECT count(*) AS n FROM deliveries WHERE id LIKE 'race-%' AND attempts = 5`)).toBe(50);
    expect(await count(`SELECT count(*) AS n FROM delivery_attempts WHERE delivery_id LIKE 'race-%'`)).toBe(250);
    const latest = `SELECT count(*) AS n FROM deliveries WHERE id LIKE 'race-%' AND last_attempt_at = '2025-03-01T08:04:00Z'`;
    expect(await count(latest)).toBe(50);
  });

  it('answers 400 naming the field for an ISO 8601 date it cannot read (a week or ordinal date), storing nothing', async () => {
    const res = await postBatch(t, [
      outcome({ id: 'wk-1', attempted_at: '2025-03-01T09:00:00Z' }),
      outcome({ id: 'wk-2', attempted_at: '2025-W18-3' }),
      outcome({ id: 'wk-3', created_at: '2025-120' }),
    ]).expect(400);
    expect(res.body.message).toMatch(/^\[1\]\.attempted_at: must be a calendar date and time.*; \[2\]\.created_at: must be a calendar/);
    expect(await count(`SELECT count(*) AS n FROM deliveries WHERE id LIKE 'wk-%'`)).toBe(0);
  });
});
