import request from 'supertest';
import type { Incident } from '../../src/anomalies/incident';
import { AuditEntry, AuditLog, AuditRecord } from '../../src/audit/audit-log.port';
import { EscalationService } from '../../src/escalation/escalation.service';
import { createTestApp, sharedTestApp } from '../utils/test-app';
import { createTestDatabase } from '../utils/test-database';

const incident = (tenant: string, endpoint: string): Incident => ({
  tenant_id: tenant,
  endpoint,
  kind: 'failure_burst',
  severity: 'high',
  failures: 60,
  total_recent: 100,
  total_baseline: 1000,
  failures_baseline: 5,
  failure_rate: 0.6,
  baseline_failure_rate: 0.005,
  traffic_ratio: 1,
  triage_distribution: { permanent: 60 },
  most_common_error: 'HTTP 410',
  detected_at: '2025-03-01T10:00:00.000Z',
});

describe('audit over HTTP', () => {
  const t = sharedTestApp();
  const http = () => request(t.app.getHttpServer());
  const admin = () => `Bearer ${t.token('admin', 'auditor')}`;
  const openEscalation = async (tenant: string, endpoint: string) =>
    (await t.app.get(EscalationService).open({ incident: incident(tenant, endpoint), priority: 'high', reason: 'r', now: new Date() }))
      .escalation;

  it('records a state-changing call under the token subject, and neither reads nor refused calls', async () => {
    const e = await openEscalation('t1', 'https://a/audited');
    await http()
      .get('/autoheal/escalations')
      .set('Authorization', `Bearer ${t.token('operator')}`)
      .expect(200);
    await http().get('/operator/audit').set('Authorization', admin()).expect(200);
    await http()
      .post(`/autoheal/escalations/${e.id}/ack`)
      .set('Authorization', `Bearer ${t.token('viewer', 'eve')}`)
      .expect(403);
    await http()
      .post('/autoheal/escalations/not-a-uuid/ack')
      .set('Authorization', `Bearer ${t.token('operator', 'alice')}`)
      .expect(400);
    await http()
      .post(`/autoheal/escalations/${e.id}/ack?note=x`)
      .set('Authorization', `Bearer ${t.token('operator', 'alice')}`)
      .expect(200);

    const res = await http().get('/operator/audit').set('Authorization', admin()).expect(200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).toEqual({
      id: expect.any(String),
      at: expect.any(String),
      operator_id: 'alice',
      action: 'escalation_acknowledge',
      resource_type: 'escalation',
      resource_id: e.id,
      tenant_id: 't1',
      meta: expect.objectContaining({ method: 'POST', route: '/autoheal/escalations/:id/ack', params: { id: e.id }, query: { note: 'x' } }),
    });
    expect(Number.isNaN(Date.parse(res.body[0].at))).toBe(false);
  });

  it('filters by action, tenant and since, newest first', async () => {
    const a = await openEscalation('t2', 'https://a/filter-1');
    const b = await openEscalation('t3', 'https://a/filter-2');
    const before = new Date(Date.now() - 1000).toISOString();
    await http()
      .post(`/autoheal/escalations/${a.id}/ack`)
      .set('Authorization', `Bearer ${t.token('operator', 'bob')}`)
      .expect(200);
    await http()
      .post(`/autoheal/escalations/${b.id}/resolve`)
      .set('Authorization', `Bearer ${t.token('operator', 'bob')}`)
      .expect(200);

    const resolves = await http().get('/operator/audit?action=escalation_resolve').set('Authorization', admin()).expect(200);
    expect(resolves.body.map((x: AuditEntry) => x.resource_id)).toEqual([b.id]);
    const forTenant = await http().get('/operator/audit?tenant_id=t2').set('Authorization', admin()).expect(200);
    expect(forTenant.body.map((x: AuditEntry) => x.resource_id)).toEqual([a.id]);
    const recent = await http()
      .get(`/operator/audit?since=${encodeURIComponent(before)}&limit=2`)
      .set('Authorization', `Bearer ${t.token('operator')}`)
      .expect(200);
    expect(recent.body.map((x: AuditEntry) => x.action)).toEqual(['escalation_resolve', 'escalation_acknowledge']);
    const future = await http().get('/operator/audit?since=2999-01-01T00:00:00Z').set('Authorization', admin()).expect(200);
    expect(future.body).toEqual([]);
  });

  it('refuses bad parameters with a 400 naming them', async () => {
    const ask = (qs: string) => http().get(`/operator/audit?${qs}`).set('Authorization', admin()).expect(400);
    expect((await ask('limit=0')).body.message).toMatch(/^limit:/);
    expect((await ask('limit=1001')).body.message).toMatch(/^limit:/);
    expect((await ask('limit=ten')).body.message).toMatch(/^limit:/);
    expect((await ask('since=yesterday')).body.message).toMatch(/^since: since must be an ISO 8601 timestamp/);
    expect((await ask('actor=alice')).body.message).toMatch(/actor/);
  });

  it('is for admins and operators only', async () => {
    await http()
      .get('/operator/audit')
      .set('Authorization', `Bearer ${t.token('viewer')}`)
      .expect(403);
    await http()
      .get('/operator/audit')
      .set('Authorization', `Bearer ${t.token('ingest')}`)
      .expect(403);
    await http().get('/operator/audit').expect(401);
  });
});

describe('audit write failure', () => {
  class BrokenAuditLog extends AuditLog {
    attempts: AuditRecord[] = [];
    async record(entry: AuditRecord): Promise<void> {
      this.attempts.push(entry);
      throw new Error('audit store unavailable');
    }
    async query(): Promise<AuditEntry[]> {
      return [];
    }
    async ofCycle(): Promise<AuditEntry[]> {
      return [];
    }
  }

  it('does not turn a successful operation into an error response', async () => {
    const db = await createTestDatabase();
    const broken = new BrokenAuditLog();
    const t = await createTestApp({ env: { DATABASE_URL: db.url }, overrides: [[AuditLog, broken]] });
    try {
      const service = t.app.get(EscalationService);
      const { escalation } = await service.open({
        incident: incident('t9', 'https://a/broken'),
        priority: 'high',
        reason: 'r',
        now: new Date(),
      });
      const res = await request(t.app.getHttpServer())
        .post(`/autoheal/escalations/${escalation.id}/ack`)
        .set('Authorization', `Bearer ${t.token('operator', 'alice')}`)
        .expect(200);
      expect(res.body.status).toBe('acknowledged');
      expect(broken.attempts.map((a) => [a.action, a.operator_id])).toEqual([['escalation_acknowledge', 'alice']]);
      expect((await service.get(escalation.id)).status).toBe('acknowledged');
    } finally {
      await t.close();
      await db.drop();
    }
  });
});
