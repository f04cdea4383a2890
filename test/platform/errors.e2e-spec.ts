import request from 'supertest';
import { sharedTestApp } from '../utils/test-app';
import { ProbeController } from './probe.controller';

describe('validation, errors and correlation ids', () => {
  const t = sharedTestApp({ controllers: [ProbeController] });
  let admin: string;
  const http = () => request(t.app.getHttpServer());

  beforeAll(() => {
    admin = t.token('admin');
  });

  it('accepts a valid body and transforms types', async () => {
    const res = await http().post('/__probe/validate?limit=5').auth(admin, { type: 'bearer' }).send({ name: 'x', count: '3' }).expect(201);
    expect(res.body).toEqual({ body: { name: 'x', count: 3 }, query: { limit: 5 } });
  });

  it.each([
    [{ name: 'x', count: 11 }, /count: count must not be greater than 10/],
    [{ name: 5, count: 1 }, /name: name must be a string/],
    [{ name: 'x', count: 1, extra: true }, /extra: property extra should not exist/],
    [{ count: 1 }, /name: name must be a string/],
  ])('answers 400 naming the field for %j', async (body, message) => {
    const res = await http().post('/__probe/validate?limit=1').auth(admin, { type: 'bearer' }).send(body).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, message: expect.stringMatching(message), request_id: expect.any(String) });
  });

  it('answers 400 for a bad query parameter, naming it', async () => {
    const res = await http().post('/__probe/validate?limit=abc').auth(admin, { type: 'bearer' }).send({ name: 'x', count: 1 }).expect(400);
    expect(res.body.message).toMatch(/limit/);
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await http()
      .post('/__probe/validate?limit=1')
      .auth(admin, { type: 'bearer' })
      .set('content-type', 'application/json')
      .send('{"name": ')
      .expect(400);
    expect(res.body.message).toMatch(/JSON/);
  });

  it('hides an unexpected error behind a 500 with the correlation id and no stack', async () => {
    const res = await http().get('/__probe/boom').auth(admin, { type: 'bearer' }).set('x-request-id', 'incident-42').expect(500);
    expect(res.headers['x-request-id']).toBe('incident-42');
    expect(res.body).toEqual({
      statusCode: 500,
      error: 'internal_error',
      message: expect.stringMatching(/request_id/),
      request_id: 'incident-42',
    });
    expect(JSON.stringify(res.body)).not.toMatch(/hunter2|at .*\.ts/);
  });

  it('echoes a sane caller request id and replaces an unsafe one', async () => {
    const echoed = await http().get('/health').set('x-request-id', 'abc-123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('abc-123');
    const replaced = await http().get('/health').set('x-request-id', 'bad id\twith spaces').expect(200);
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 404 as JSON with a request id for an unknown route', async () => {
    const res = await http().get('/nope').auth(admin, { type: 'bearer' }).expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, request_id: expect.any(String) });
  });
});
