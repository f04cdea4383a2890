import request from 'supertest';
import { Coordination } from '../../src/coordination/coordination.port';
import { RedisCoordination } from '../../src/coordination/redis-coordination.adapter';
import { TEST_REDIS_URL } from '../utils/pg-admin';
import { createTestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

describe('Coordination in the booted app', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('uses Redis when REDIS_URL is set, reports it reachable, and closes the connection on shutdown', async () => {
    const t = await createTestApp({ env: { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL } });
    const coordination = t.app.get(Coordination);
    try {
      expect(coordination).toBeInstanceOf(RedisCoordination);
      const res = await request(t.app.getHttpServer()).get('/health').expect(200);
      expect(res.body.info.coordination).toEqual({ status: 'up', mode: 'redis', reachable: true });
    } finally {
      await t.close();
    }
    await expect(coordination.ping()).rejects.toThrow(/closed/i);
  });

  it('still boots and serves with Redis down, and /health says coordination is unreachable', async () => {
    const t = await createTestApp({ env: { DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const res = await request(t.app.getHttpServer()).get('/health').expect(200);
      expect(res.body.info.database).toMatchObject({ status: 'up' });
      expect(res.body.info.coordination).toMatchObject({ status: 'up', mode: 'redis', reachable: false });
      expect(res.body.info.coordination.message).toMatch(/unreachable/);
    } finally {
      await t.close();
    }
  });
});
