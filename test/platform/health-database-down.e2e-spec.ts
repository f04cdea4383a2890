import request from 'supertest';
import { sharedTestApp } from '../utils/test-app';

describe('GET /health when the database goes away', () => {
  const t = sharedTestApp();

  it('answers 503 naming the database, and stays up', async () => {
    await request(t.app.getHttpServer()).get('/health').expect(200);
    // Dropping the database (forcing its connections closed) is an outage the pool cannot fix.
    await t.db.drop();
    const res = await request(t.app.getHttpServer()).get('/health').expect(503);
    expect(res.body.status).toBe('error');
    expect(res.body.error.database).toMatchObject({ status: 'down', message: expect.any(String) });
    expect(res.body.info.service.status).toBe('up');
    await request(t.app.getHttpServer()).get('/health').expect(503);
  });
});
