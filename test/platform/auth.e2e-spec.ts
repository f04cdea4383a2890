import request from 'supertest';
import { sign } from 'jsonwebtoken';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { ProbeController } from './probe.controller';

describe('authentication and roles (M8)', () => {
  let db: TestDatabase;
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp({
      env: { DATABASE_URL: db.url, JWT_SECRET: 'a-test-secret-that-is-long-enough', JWT_ISSUER: 'aetherlink', JWT_AUDIENCE: 'autoheal' },
      controllers: [ProbeController],
    });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('answers 401 with a JSON message when there is no token', async () => {
    const res = await http().get('/__probe/admin').expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, message: expect.stringMatching(/Authentication required/) });
  });

  it('answers 401 for a token signed with another secret', async () => {
    const forged = sign({ roles: ['admin'] }, 'some-other-secret-of-enough-length', {
      subject: 'mallory',
      issuer: 'aetherlink',
      audience: 'autoheal',
    });
    const res = await http().get('/__probe/admin').auth(forged, { type: 'bearer' }).expect(401);
    expect(res.body.message).toMatch(/invalid signature/);
  });

  it('answers 401 for an expired token', async () => {
    const expired = t.token('admin', 'alice', -10);
    const res = await http().get('/__probe/admin').auth(expired, { type: 'bearer' }).expect(401);
    expect(res.body.message).toMatch(/expired/);
  });

  it('answers 401 for a token with the wrong issuer or audience', async () => {
    const secret = 'a-test-secret-that-is-long-enough';
    const wrongIssuer = sign({ roles: ['admin'] }, secret, { subject: 'a', issuer: 'elsewhere', audience: 'autoheal' });
    const wrongAudience = sign({ roles: ['admin'] }, secret, { subject: 'a', issuer: 'aetherlink', audience: 'other' });
    await http().get('/__probe/admin').auth(wrongIssuer, { type: 'bearer' }).expect(401);
    await http().get('/__probe/admin').auth(wrongAudience, { type: 'bearer' }).expect(401);
  });

  it('refuses a token signed with another algorithm', async () => {
    const none = sign({ roles: ['admin'] }, '', { algorithm: 'none', subject: 'a', issuer: 'aetherlink', audience: 'autoheal' });
    await http().get('/__probe/admin').auth(none, { type: 'bearer' }).expect(401);
  });

  it('lets the right role through and exposes the subject', async () => {
    const res = await http().get('/__probe/admin').auth(t.token('admin', 'alice'), { type: 'bearer' }).expect(200);
    expect(res.body).toEqual({ subject: 'alice', roles: ['admin'] });
  });

  it.each([
    ['admin', 200],
    ['operator', 200],
    ['viewer', 200],
    ['ingest', 403],
  ] as const)('read route: %s gets %i', async (role, status) => {
    await http().get('/__probe/read').auth(t.token(role), { type: 'bearer' }).expect(status);
  });

  it('answers 403 naming the roles needed when the token lacks them', async () => {
    const res = await http().get('/__probe/admin').auth(t.token('viewer'), { type: 'bearer' }).expect(403);
    expect(res.body.message).toMatch(/admin/);
  });

  it('ignores roles it does not know', async () => {
    await http()
      .get('/__probe/admin')
      .auth(t.token(['superuser' as never]), { type: 'bearer' })
      .expect(403);
  });

  it('denies by default: a route without @Roles is closed even to admin', async () => {
    await http().get('/__probe/no-roles').auth(t.token('admin'), { type: 'bearer' }).expect(403);
  });

  it('serves @Public() routes without a token', async () => {
    await http().get('/__probe/public').expect(200);
    await http().get('/health').expect(200);
  });
});
