import request from 'supertest';
import type { TestApp } from '../utils/test-app';

export interface OutcomeBody {
  id: string;
  tenant_id: string;
  target: string;
  status: string;
  [field: string]: unknown;
}

export function outcome(overrides: Partial<OutcomeBody> & { id: string }): OutcomeBody {
  return { tenant_id: 'tenant-a', target: 'https://hooks.example.com/a', status: 'failed', http_status: 503, ...overrides };
}

/** POSTs a batch as the dispatcher and returns the supertest response (no status assertion). */
export function postBatch(t: TestApp, body: unknown, token = t.token('ingest', 'dispatcher-1')) {
  return request(t.app.getHttpServer())
    .post('/deliveries')
    .set('Authorization', `Bearer ${token}`)
    .send(body as object);
}

export function getAs(t: TestApp, path: string, token = t.token('viewer')) {
  return request(t.app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);
}
