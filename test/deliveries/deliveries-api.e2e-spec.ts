import request from 'supertest';
import { DeliveryStore } from '../../src/deliveries/delivery-store.port';
import { sharedTestApp } from '../utils/test-app';
import { getAs, outcome, postBatch } from './delivery-fixtures';

describe('/deliveries: validation, access and reads', () => {
  const t = sharedTestApp();

  describe('access', () => {
    it('answers 401 without a token, on writes and reads', async () => {
      const server = t.app.getHttpServer();
      await request(server)
        .post('/deliveries')
        .send([outcome({ id: 'auth-0' })])
        .expect(401);
      await request(server).get('/deliveries').expect(401);
      await request(server).get('/deliveries/auth-0').expect(401);
    });

    it('lets ingest and admin write, not viewer or operator', async () => {
      await postBatch(t, [outcome({ id: 'auth-1' })], t.token('ingest')).expect(200);
      await postBatch(t, [outcome({ id: 'auth-2' })], t.token('admin')).expect(200);
      await postBatch(t, [outcome({ id: 'auth-3' })], t.token('viewer')).expect(403);
      await postBatch(t, [outcome({ id: 'auth-4' })], t.token('operator')).expect(403);
      const listed = (await getAs(t, '/deliveries?limit=1000').expect(200)).body.map((d: { id: string }) => d.id);
      expect(listed).toEqual(expect.arrayContaining(['auth-1', 'auth-2']));
      expect(listed).not.toContain('auth-3');
      expect(listed).not.toContain('auth-4');
    });

    it('lets admin, operator and viewer read, not ingest', async () => {
      for (const role of ['admin', 'operator', 'viewer'] as const) {
        await getAs(t, '/deliveries/auth-1', t.token(role)).expect(200);
        await getAs(t, '/deliveries', t.token(role)).expect(200);
      }
      await getAs(t, '/deliveries/auth-1', t.token('ingest')).expect(403);
      await getAs(t, '/deliveries', t.token('ingest')).expect(403);
    });
  });

  describe('batch limits', () => {
    it.each<[string, unknown, RegExp]>([
      ['an object', { id: 'x' }, /must be a JSON array/],
      ['an empty array', [], /empty array; send 1 to 1000/],
      [
        '1001 items',
        Array.from({ length: 1001 }, (_, i) => outcome({ id: `over-${i}` })),
        /holds 1001 delivery outcomes; send at most 1000/,
      ],
    ])('refuses %s', async (_, body, message) => {
      const res = await postBatch(t, body).expect(400);
      expect(res.body.message).toMatch(message);
    });

    it('refuses a body that is not JSON at all', async () => {
      const res = await request(t.app.getHttpServer())
        .post('/deliveries')
        .set('Authorization', `Bearer ${t.token('ingest')}`)
        .set('Content-Type', 'application/json')
        .send('[{"id": ')
        .expect(400);
      expect(res.body.message).toMatch(/JSON/);
    });

    it('refuses items that are not objects, by index', async () => {
      const res = await postBatch(t, [outcome({ id: 'ok-0' }), 'text', null]).expect(400);
      expect(res.body.message).toContain('[1]: must be a JSON object');
      expect(res.body.message).toContain('[2]: must be a JSON object');
    });
  });

  describe('fields', () => {
    const long = 'x'.repeat(201);
    it.each<[string, Record<string, unknown>, string]>([
      ['missing id', { id: undefined }, '[1].id: must be a string of 1 to 200 characters'],
      ['numeric id', { id: 42 }, '[1].id: must be a string of 1 to 200 characters'],
      ['empty id', { id: '' }, '[1].id: must be a string of 1 to 200 characters'],
      ['id over 200 chars', { id: long }, '[1].id: must be a string of 1 to 200 characters'],
      ['missing tenant_id', { tenant_id: undefined }, '[1].tenant_id: must be a string of 1 to 200 characters'],
      ['empty tenant_id', { tenant_id: '' }, '[1].tenant_id: must be a string of 1 to 200 characters'],
      ['relative target', { target: '/hooks/a' }, '[1].target: must be an absolute http or https URL'],
      ['ftp target', { target: 'ftp://files.example.com/x' }, '[1].target: must be an absolute http or https URL'],
      ['javascript target', { target: 'javascript:alert(1)' }, '[1].target: must be an absolute http or https URL'],
      ['target with spaces around', { target: ' https://hooks.example.com/a' }, '[1].target: must be an absolute http or https URL'],
      ['missing target', { target: undefined }, '[1].target: must be an absolute http or https URL'],
      ['unknown status', { status: 'lost' }, '[1].status: must be one of: pending, delivered, failed, dead_letter'],
      ['http_status below 100', { http_status: 99 }, '[1].http_status: must be an integer between 100 and 599'],
      ['http_status above 599', { http_status: 600 }, '[1].http_status: must be an integer between 100 and 599'],
      ['fractional http_status', { http_status: 503.5 }, '[1].http_status: must be an integer between 100 and 599'],
      ['http_status as a string', { http_status: '503' }, '[1].http_status: must be an integer between 100 and 599'],
      ['error over 10000 chars', { error: 'e'.repeat(10_001) }, '[1].error: must be a string of at most 10000 characters'],
      ['error not a string', { error: { code: 'ECONNRESET' } }, '[1].error: must be a string of at most 10000 characters'],
      ['event_type not a string', { event_type: 7 }, '[1].event_type: must be a string of 1 to 200 characters'],
      ['headers as an array', { headers: ['a'] }, '[1].headers: must be an object of header name → string value'],
      ['header with a number value', { headers: { 'x-n': 1 } }, '[1].headers: header "x-n" must have a string value'],
      ['header with a bad name', { headers: { 'bad name': 'v' } }, '[1].headers: "bad name" is not a valid HTTP header name'],
      ['header value with CRLF', { headers: { 'x-a': 'v\r\nx-b: w' } }, '[1].headers: header "x-a" must not contain CR, LF or NUL'],
      ['created_at not a date', { created_at: 'yesterday' }, '[1].created_at: must be an ISO 8601 date'],
      ['created_at impossible', { created_at: '2025-02-30T00:00:00Z' }, '[1].created_at: must be an ISO 8601 date'],
      ['attempted_at as a number', { attempted_at: 1700000000 }, '[1].attempted_at: must be an ISO 8601 date'],
      ['unknown field', { colour: 'red' }, '[1].colour: property colour should not exist'],
      ['NUL in a string', { error: 'bad\u0000byte' }, '[1].error: must not contain the NUL character'],
      ['NUL inside the payload', { payload: { note: 'a\u0000b' } }, '[1].payload.note: must not contain the NUL character'],
    ])('names the item and field: %s', async (_, fields, message) => {
      const res = await postBatch(t, [outcome({ id: 'field-ok' }), { ...outcome({ id: 'field-bad' }), ...fields }]).expect(400);
      expect(res.body.message).toContain(message);
      expect(res.body.message).not.toContain('[0]');
      await getAs(t, '/deliveries/field-ok').expect(404);
    });

    it('reports every bad field of every item at once', async () => {
      const res = await postBatch(t, [
        outcome({ id: 'multi-0', status: 'nope' }),
        outcome({ id: 'multi-1' }),
        outcome({ id: 'multi-2', target: 'not a url', http_status: 1000 }),
      ]).expect(400);
      expect(res.body.message).toContain('[0].status:');
      expect(res.body.message).toContain('[2].target:');
      expect(res.body.message).toContain('[2].http_status:');
      expect(res.body.message).not.toContain('[1]');
    });

    it('accepts every optional field, any JSON as payload, and nulls for the optional ones', async () => {
      await postBatch(t, [
        outcome({
          id: 'full-1',
          status: 'dead_letter',
          http_status: 410,
          error: 'Gone',
          event_type: 'invoice.created',
          payload: [1, 'two', { three: true }],
          headers: { 'content-type': 'application/json', 'x-request-id': 'r1' },
          created_at: '2025-01-23T12:34:56Z',
          attempted_at: '2025-01-23T12:35:00+01:00',
        }),
        outcome({
          id: 'full-2',
          http_status: null,
          error: null,
          event_type: null,
          headers: null,
          created_at: null,
          attempted_at: null,
          payload: 'just a string',
        }),
      ]).expect(200);
      const body = (await getAs(t, '/deliveries/full-1').expect(200)).body;
      expect(body).toMatchObject({
        status: 'dead_letter',
        triage_label: 'permanent_4xx',
        event_type: 'invoice.created',
        payload: [1, 'two', { three: true }],
        headers: { 'content-type': 'application/json', 'x-request-id': 'r1' },
        created_at: '2025-01-23T12:34:56.000Z',
        last_attempt_at: '2025-01-23T11:35:00.000Z',
      });
      expect((await getAs(t, '/deliveries/full-2').expect(200)).body).toMatchObject({
        payload: 'just a string',
        triage_label: 'unknown',
        http_status: null,
      });
    });
  });

  describe('reads', () => {
    const A = 'https://a.example.com/hook';
    const B = 'https://b.example.com/hook';
    beforeAll(async () => {
      await postBatch(t, [
        outcome({ id: 'r-1', tenant_id: 'read-t1', target: A, status: 'failed', created_at: '2025-05-01T10:01:00Z' }),
        outcome({ id: 'r-2', tenant_id: 'read-t1', target: A, status: 'delivered', http_status: 200, created_at: '2025-05-01T10:02:00Z' }),
        outcome({
          id: 'r-3',
          tenant_id: 'read-t1',
          target: B,
          status: 'dead_letter',
          http_status: 410,
          created_at: '2025-05-01T10:03:00Z',
        }),
        outcome({ id: 'r-4', tenant_id: 'read-t2', target: A, status: 'failed', created_at: '2025-05-01T10:04:00Z' }),
        outcome({
          id: 'r-5',
          tenant_id: 'read-t1',
          target: A,
          status: 'dead_letter',
          http_status: 429,
          created_at: '2025-05-01T10:05:00Z',
        }),
        outcome({ id: 'r-6', tenant_id: 'read-t1', target: A, status: 'failed', created_at: '2025-05-01T09:00:00Z' }),
        outcome({
          id: 'r-7',
          tenant_id: 'read-t3',
          target: B,
          status: 'failed',
          created_at: '2025-05-01T10:07:00Z',
          headers: {
            Authorization: 'Bearer s3cret',
            'X-Webhook-Signature': 'sha256=abc',
            'X-Api-Key': 'k',
            'content-type': 'application/json',
          },
        }),
      ]).expect(200);
    });
    const ids = (body: Array<{ id: string }>) => body.map((d) => d.id);

    it('answers 404 for an unknown id', async () => {
      const res = await getAs(t, '/deliveries/no-such-delivery').expect(404);
      expect(res.body.message).toContain('no-such-delivery');
    });

    it('lists newest first and filters by tenant, target, status and since', async () => {
      expect(ids((await getAs(t, '/deliveries?tenant_id=read-t1').expect(200)).body)).toEqual(['r-5', 'r-3', 'r-2', 'r-1', 'r-6']);
      expect(ids((await getAs(t, `/deliveries?tenant_id=read-t1&target=${encodeURIComponent(A)}`).expect(200)).body)).toEqual([
        'r-5',
        'r-2',
        'r-1',
        'r-6',
      ]);
      expect(ids((await getAs(t, '/deliveries?tenant_id=read-t1&status=failed').expect(200)).body)).toEqual(['r-1', 'r-6']);
      expect(ids((await getAs(t, '/deliveries?tenant_id=read-t1&since=2025-05-01T10:02:00Z').expect(200)).body)).toEqual([
        'r-5',
        'r-3',
        'r-2',
      ]);
      expect(ids((await getAs(t, '/deliveries?tenant_id=read-t1&limit=2').expect(200)).body)).toEqual(['r-5', 'r-3']);
      expect(
        ids((await getAs(t, `/deliveries?target=${encodeURIComponent(A)}&status=failed&since=2025-05-01T10:00:00Z`).expect(200)).body),
      ).toEqual(['r-4', 'r-1']);
    });

    it('answers snake_case deliveries with their attempt count, and the attempt rows for one', async () => {
      const [listed] = (await getAs(t, '/deliveries?tenant_id=read-t2').expect(200)).body;
      expect(Object.keys(listed).sort()).toEqual(
        [
          'attempts',
          'body',
          'content_type',
          'created_at',
          'error',
          'event_type',
          'headers',
          'http_status',
          'id',
          'last_attempt_at',
          'meta',
          'payload',
          'status',
          'target',
          'tenant_id',
          'triage_label',
          'triage_score',
          'updated_at',
        ].sort(),
      );
      expect(listed).toMatchObject({ id: 'r-4', attempts: 1, meta: {} });
      expect(listed).not.toHaveProperty('attempt_history');
      const one = (await getAs(t, '/deliveries/r-4').expect(200)).body;
      expect(one.attempt_history).toHaveLength(1);
      expect(Object.keys(one.attempt_history[0]).sort()).toEqual(
        [
          'actor',
          'attempted_at',
          'cycle_id',
          'duration_ms',
          'error',
          'finished_at',
          'http_status',
          'id',
          'outcome',
          'replay_key',
          'source',
        ].sort(),
      );
    });

    it('hides credential-like headers from readers but keeps them for the healing engine', async () => {
      const shown = (await getAs(t, '/deliveries/r-7').expect(200)).body.headers;
      expect(shown).toEqual({
        Authorization: '[redacted]',
        'X-Webhook-Signature': '[redacted]',
        'X-Api-Key': '[redacted]',
        'content-type': 'application/json',
      });
      const [listed] = (await getAs(t, '/deliveries?tenant_id=read-t3').expect(200)).body;
      expect(listed.headers.Authorization).toBe('[redacted]');

      const [stored] = await t.app.get(DeliveryStore).recentFailures({ tenantId: 'read-t3', endpoint: B, since: new Date(0), limit: 10 });
      expect(stored.headers).toMatchObject({ Authorization: 'Bearer s3cret', 'X-Api-Key': 'k' });
    });

    it('uses 100 as the default limit', async () => {
      await postBatch(
        t,
        Array.from({ length: 101 }, (_, i) => outcome({ id: `lim-${i}`, tenant_id: 'read-lim' })),
      ).expect(200);
      expect((await getAs(t, '/deliveries?tenant_id=read-lim').expect(200)).body).toHaveLength(100);
      expect((await getAs(t, '/deliveries?tenant_id=read-lim&limit=1000').expect(200)).body).toHaveLength(101);
    });

    it.each<[string, string]>([
      ['limit=0', 'limit: must be an integer between 1 and 1000'],
      ['limit=1001', 'limit: must be an integer between 1 and 1000'],
      ['limit=ten', 'limit: must be an integer between 1 and 1000'],
      ['limit=2.5', 'limit: must be an integer between 1 and 1000'],
      ['status=lost', 'status: must be one of: pending, delivered, failed, dead_letter'],
      ['since=yesterday', 'since: must be an ISO 8601 date'],
      ['target=ftp%3A%2F%2Fx', 'target: must be an absolute http or https URL'],
      ['tenant_id=', 'tenant_id: must be a string of 1 to 200 characters'],
      ['tenant=read-t1', 'property tenant should not exist'],
    ])('refuses ?%s naming the parameter', async (query, message) => {
      const res = await getAs(t, `/deliveries?${query}`).expect(400);
      expect(res.body.message).toContain(message);
    });

    it('recentFailures: failed and dead-lettered deliveries of one tenant+endpoint since a time, newest first', async () => {
      const store = t.app.get(DeliveryStore);
      const rows = await store.recentFailures({ tenantId: 'read-t1', endpoint: A, since: new Date('2025-05-01T10:00:00Z'), limit: 100 });
      expect(rows.map((r) => r.id)).toEqual(['r-5', 'r-1']);
      expect(Object.keys(rows[0]).sort()).toEqual(
        [
          'attempts',
          'created_at',
          'error',
          'headers',
          'http_status',
          'id',
          'meta',
          'payload',
          'status',
          'target',
          'tenant_id',
          'triage_label',
          'triage_score',
        ].sort(),
      );
      expect(rows[0]).toMatchObject({
        tenant_id: 'read-t1',
        target: A,
        status: 'dead_letter',
        triage_label: 'rate_limited',
        triage_score: 0.95,
        http_status: 429,
        attempts: 1,
      });
      expect(rows[0].created_at).toEqual(new Date('2025-05-01T10:05:00Z'));

      expect((await store.recentFailures({ tenantId: 'read-t1', endpoint: A, since: new Date(0), limit: 2 })).map((r) => r.id)).toEqual([
        'r-5',
        'r-1',
      ]);
      expect((await store.recentFailures({ tenantId: 'read-t1', endpoint: A, since: new Date(0), limit: 10 })).map((r) => r.id)).toEqual([
        'r-5',
        'r-1',
        'r-6',
      ]);
      expect(await store.recentFailures({ tenantId: 'read-t9', endpoint: A, since: new Date(0), limit: 10 })).toEqual([]);
    });
  });
});
