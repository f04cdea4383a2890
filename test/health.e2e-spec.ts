import request from 'supertest';
import { sharedTestApp } from './utils/test-app';

describe('GET /health', () => {
  const t = sharedTestApp();

  it('is public and reports the database, coordination, version and uptime', async () => {
    const res = await request(t.app.getHttpServer()).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.info.database).toMatchObject({ status: 'up', kind: 'postgres' });
    expect(res.body.info.coordination).toMatchObject({ status: 'up', mode: 'memory', reachable: true });
    expect(res.body.info.coordination.warning).toMatch(/single-instance/);
    expect(res.body.info.service).toMatchObject({ status: 'up', version: expect.any(String), uptime_seconds: expect.any(Number) });
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });
});
