import request from 'supertest';
import type { Incident } from '../../src/anomalies/incident';
import { Escalation } from '../../src/escalation/escalation';
import { EscalationService } from '../../src/escalation/escalation.service';
import { LogNotifier } from '../../src/escalation/log-notifier.adapter';
import { Notifier } from '../../src/escalation/notifier.port';
import { SilencingNotifier } from '../../src/escalation/silencing-notifier';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const incident = (tenant: string, endpoint: string): Incident => ({
  tenant_id: tenant,
  endpoint,
  kind: 'failure_burst',
  severity: 'critical',
  failures: 80,
  total_recent: 100,
  total_baseline: 1000,
  failures_baseline: 5,
  failure_rate: 0.8,
  baseline_failure_rate: 0.005,
  traffic_ratio: 1,
  triage_distribution: { permanent: 80 },
  most_common_error: 'HTTP 410',
  detected_at: '2025-03-01T10:00:00.000Z',
});

describe('/autoheal/escalations', () => {
  let db: TestDatabase;
  let t: TestApp;
  let service: EscalationService;
  const http = () => request(t.app.getHttpServer());
  const open = async (tenant: string, endpoint: string): Promise<Escalation> =>
    (await service.open({ incident: incident(tenant, endpoint), priority: 'high', reason: 'permanent failures', now: new Date() }))
      .escalation;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp({ env: { DATABASE_URL: db.url, NOTIFY_WEBHOOK_URL: undefined } });
    service = t.app.get(EscalationService);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('lists for an operator, in snake_case, filtered by status', async () => {
    const e = await open('t1', 'https://a/list');
    const res = await http()
      .get('/autoheal/escalations?status=open&limit=50')
      .set('Authorization', `Bearer ${t.token('operator')}`)
      .expect(200);
    expect(res.body).toContainEqual(
      expect.objectContaining({
        id: e.id,
        tenant_id: 't1',
        endpoint: 'https://a/list',
        status: 'open',
        occurrences: 1,
        last_seen_at: expect.any(String),
        acknowledged_by: null,
      }),
    );
    const resolved = await http()
      .get('/autoheal/escalations?status=resolved')
      .set('Authorization', `Bearer ${t.token('operator')}`)
      .expect(200);
    expect(resolved.body.map((x: Escalation) => x.id)).not.toContain(e.id);
  });

  it('refuses bad list parameters with a 400 naming them', async () => {
    const auth = `Bearer ${t.token('operator')}`;
    expect((await http().get('/autoheal/escalations?status=closed').set('Authorization', auth).expect(400)).body.message).toMatch(
      /^status:/,
    );
    expect((await http().get('/autoheal/escalations?limit=0').set('Authorization', auth).expect(400)).body.message).toMatch(/^limit:/);
  });

  it('acknowledges (200), keeps a repeat unchanged (200), resolves (200), then refuses to acknowledge (409)', async () => {
    const e = await open('t2', 'https://a/flow');
    const ack = await http()
      .post(`/autoheal/escalations/${e.id}/ack`)
      .set('Authorization', `Bearer ${t.token('operator', 'alice')}`)
      .expect(200);
    expect(ack.body).toMatchObject({ id: e.id, status: 'acknowledged', acknowledged_by: 'alice', acknowledged_at: expect.any(String) });

    const repeat = await http()
      .post(`/autoheal/escalations/${e.id}/ack`)
      .set('Authorization', `Bearer ${t.token('admin', 'bob')}`)
      .expect(200);
    expect(repeat.body).toEqual(ack.body);

    const resolved = await http()
      .post(`/autoheal/escalations/${e.id}/resolve`)
      .set('Authorization', `Bearer ${t.token('admin', 'bob')}`)
      .expect(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolved_by: 'bob', acknowledged_by: 'alice' });

    const conflict = await http()
      .post(`/autoheal/escalations/${e.id}/ack`)
      .set('Authorization', `Bearer ${t.token('operator', 'carol')}`)
      .expect(409);
    expect(conflict.body).toMatchObject({ error: 'escalation_resolved', message: expect.stringMatching(/resolved by bob/) });
  });

  it('answers 404 for an unknown id and 400 for one that is not a UUID', async () => {
    const auth = `Bearer ${t.token('operator')}`;
    const missing = await http()
      .post('/autoheal/escalations/00000000-0000-4000-8000-000000000000/ack')
      .set('Authorization', auth)
      .expect(404);
    expect(missing.body.message).toMatch(/Escalation 00000000-0000-4000-8000-000000000000 not found/);
    expect((await http().post('/autoheal/escalations/abc/resolve').set('Authorization', auth).expect(400)).body.message).toBe(
      'id: must be a UUID',
    );
  });

  it('refuses viewers and ingest (403), and callers without a token (401)', async () => {
    const e = await open('t3', 'https://a/roles');
    await http()
      .get('/autoheal/escalations')
      .set('Authorization', `Bearer ${t.token('viewer')}`)
      .expect(403);
    await http()
      .post(`/autoheal/escalations/${e.id}/ack`)
      .set('Authorization', `Bearer ${t.token('viewer')}`)
      .expect(403);
    await http()
      .post(`/autoheal/escalations/${e.id}/resolve`)
      .set('Authorization', `Bearer ${t.token('ingest')}`)
      .expect(403);
    await http().post(`/autoheal/escalations/${e.id}/ack`).expect(401);
    await http().get('/autoheal/escalations').expect(401);
    expect((await service.get(e.id)).status).toBe('open');
  });

  it('notifies through the log when no webhook is configured (behind the silences)', () => {
    const notifier = t.app.get(Notifier);
    expect(notifier).toBeInstanceOf(SilencingNotifier);
    expect((notifier as SilencingNotifier).channel).toBeInstanceOf(LogNotifier);
  });
});
