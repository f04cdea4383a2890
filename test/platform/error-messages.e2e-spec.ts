import request from 'supertest';
import { outcome } from '../deliveries/delivery-fixtures';
import { sharedTestApp } from '../utils/test-app';

describe('every error carries the request id and says one thing per field', () => {
  const t = sharedTestApp();
  let admin: string;
  const http = () => request(t.app.getHttpServer());

  beforeAll(() => {
    admin = t.token('admin');
  });

  it.each<[string, () => request.Test, number]>([
    ['malformed JSON', () => http().post('/deliveries').set('content-type', 'application/json').send('{"id": '), 400],
    [
      'a body over 10 MB',
      () =>
        http()
          .post('/deliveries')
          .set('content-type', 'application/json')
          .send(`"${'x'.repeat(11 << 20)}"`),
      413,
    ],
    ['hostile input', () => http().get('/deliveries?tenant_id=a%00b'), 400],
  ])("%s is answered with the caller's x-request-id", async (_, send, status) => {
    const res = await send().auth(admin, { type: 'bearer' }).set('x-request-id', 'trace-77').expect(status);
    expect(res.headers['x-request-id']).toBe('trace-77');
    expect(res.body).toMatchObject({ statusCode: status, request_id: 'trace-77' });
  });

  it.each<[string, string]>([
    ['/autoheal/history?limit=abc', 'limit: limit must be an integer between 1 and 1000'],
    ['/operator/audit?limit=abc', 'limit: limit must be an integer between 1 and 1000'],
    ['/deliveries?limit=abc', 'limit: must be an integer between 1 and 1000'],
    [`/operator/audit?tenant_id=${'x'.repeat(201)}`, 'tenant_id: tenant_id must be shorter than or equal to 200 characters'],
  ])('GET %s gives exactly one message', async (path, message) => {
    const res = await http().get(path).auth(admin, { type: 'bearer' }).expect(400);
    expect(res.body.message).toBe(message);
  });

  it.each<[string, object, string]>([
    ['a number', { endpoint: 12345, minutes: 5 }, 'endpoint: endpoint must be a string'],
    ['an array', { endpoint: ['https://x.example/h'], minutes: 5 }, 'endpoint: endpoint must be a string'],
    [
      'a string too long',
      { endpoint: `https://x.example/${'a'.repeat(2048)}`, minutes: 5 },
      'endpoint: endpoint must be shorter than or equal to 2048 characters',
    ],
  ])('PUT /autoheal/maintenance with an endpoint that is %s reports its main problem only', async (_, body, message) => {
    const res = await http().put('/autoheal/maintenance').auth(admin, { type: 'bearer' }).send(body).expect(400);
    expect(res.body.message).toBe(message);
  });

  describe('one header rule and one URL rule, at ingest, in the API and in the replayer', () => {
    it.each<[string, Record<string, unknown>, string]>([
      [
        'a header value the replayer could not send',
        { headers: { 'x-a': 'caf\u00e9 \u2615' } },
        '[0].headers: header "x-a" may hold only tab, space, visible ASCII and Latin-1 characters',
      ],
      ['a header value with a control character', { headers: { 'x-a': 'a\u0007b' } }, '[0].headers: header "x-a" may hold only'],
      ['a target with a tab inside', { target: 'https://hooks.example.com/a\tb' }, '[0].target: must be an absolute http or https URL'],
      ['a target without a host', { target: 'https://' }, '[0].target: must be an absolute http or https URL'],
    ])('ingest refuses %s', async (_, fields, message) => {
      const body = [{ ...outcome({ id: 'rule-1' }), ...fields }];
      const res = await http().post('/deliveries').auth(admin, { type: 'bearer' }).send(body).expect(400);
      expect(res.body.message).toContain(message);
    });

    it('ingest accepts a Latin-1 header value, as the replayer sends it', async () => {
      const body = [{ ...outcome({ id: 'rule-2' }), headers: { 'x-a': 'caf\u00e9' } }];
      await http().post('/deliveries').auth(admin, { type: 'bearer' }).send(body).expect(200);
    });

    it.each<[string, string, RegExp]>([
      ['a tab inside', 'https://x.example/a\tb', /endpoint: ".*" must not contain control characters/],
      ['more than 2048 characters', `https://x.example/${'a'.repeat(2031)}`, /endpoint: ".*" must be at most 2048 characters/],
    ])('an endpoint parameter with %s is refused as ingest refuses it', async (_, endpoint, message) => {
      const path = `/autoheal/cooldown/${encodeURIComponent(endpoint)}`;
      const res = await http().delete(path).auth(admin, { type: 'bearer' }).expect(400);
      expect(res.body.message).toMatch(message);
    });
  });
});
