import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

export interface DispatchedDelivery {
  id: string;
  tenant_id: string;
  target: string;
  event_type?: string;
  payload: unknown;
  /** Seconds ago, for the delivery's created_at. */
  ageSeconds?: number;
}

/**
 * Plays the platform's dispatcher: sends each delivery to its target for real, then reports the
 * outcome to POST /deliveries, as a dispatcher would. Returns the HTTP status each send got.
 */
export async function dispatchAndReport(app: INestApplication, ingestToken: string, deliveries: DispatchedDelivery[]): Promise<number[]> {
  const outcomes = [];
  for (const d of deliveries) {
    const res = await fetch(d.target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(d.payload) });
    await res.arrayBuffer();
    const createdAt = new Date(Date.now() - (d.ageSeconds ?? 0) * 1000).toISOString();
    outcomes.push({
      id: d.id,
      tenant_id: d.tenant_id,
      target: d.target,
      event_type: d.event_type ?? 'order.created',
      status: res.ok ? 'delivered' : 'failed',
      http_status: res.status,
      ...(res.ok ? {} : { error: `HTTP ${res.status}` }),
      payload: d.payload,
      headers: { 'content-type': 'application/json', 'x-tenant': d.tenant_id },
      created_at: createdAt,
      attempted_at: createdAt,
    });
  }
  for (let i = 0; i < outcomes.length; i += 1000) {
    await request(app.getHttpServer())
      .post('/deliveries')
      .auth(ingestToken, { type: 'bearer' })
      .send(outcomes.slice(i, i + 1000))
      .expect(200);
  }
  return outcomes.map((o) => o.http_status);
}

/** `count` deliveries named `${prefix}_${n}` to one target. */
export function burst(prefix: string, tenantId: string, target: string, count: number, ageSeconds = 30): DispatchedDelivery[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}_${String(i + 1).padStart(3, '0')}`,
    tenant_id: tenantId,
    target,
    payload: { order_id: `${prefix}-${i + 1}`, amount: 100 + i },
    ageSeconds,
  }));
}
