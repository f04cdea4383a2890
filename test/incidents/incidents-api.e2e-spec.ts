import request from 'supertest';
import { Clock, ManualClock } from '../../src/clock/clock';
import { IncidentRecord } from '../../src/incidents/incident';
import { IncidentStore, OpenIncident } from '../../src/incidents/incident-store.port';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const START = new Date('2025-06-01T12:00:00.000Z');
const PLAN = { count: 140, oldest_at: '2025-06-01T11:00:00.000Z', target: 'https://a.example.com/hook' };

describe('/autoheal/incidents and /autoheal/approvals', () => {
  let db: TestDatabase;
  let t: TestApp;
  let store: IncidentStore;
  const clock = new ManualClock(START);
  const http = () => request(t.app.getHttpServer());
  const as = (role: 'admin' | 'operator' | 'viewer' | 'ingest', subject = 'tester') => `Bearer ${t.token(role, subject)}`;
  let n = 0;
  const open = async (fields: Partial<OpenIncident> = {}): Promise<IncidentRecord> =>
    (
      await store.openOrUpdate(
        {
          tenantId: 'acme',
          endpoint: `https://e${++n}.example.com/hook`,
          kind: 'failure_burst',
          severity: 'critical',
          firstFailureAt: new Date(clock.now().getTime() - 600_000),
          lastFailureAt: clock.now(),
          backlogSize: 140,
          ...fields,
        },
        clock.now(),
      )
    ).incident;
  const awaitingApproval = async (ttlMinutes = 60) => {
    const incident = await open();
    const { approval } = await store.requestApproval(incident.id, { plan: PLAN, ttlMinutes, actor: 'autoheal' }, clock.now());
    return { incident, approval };
  };
  const audited = async (action: string) =>
    (await http().get(`/operator/audit?action=${action}`).set('Authorization', as('admin')).expect(200)).body as Array<
      Record<string, unknown>
    >;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp({ env: { DATABASE_URL: db.url }, overrides: [[Clock, clock]] });
    store = t.app.get(IncidentStore);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('lists incidents in snake_case, filtered by state and tenant', async () => {
    const probing = await open({ tenantId: 'globex', kind: 'sustained_outage', severity: 'high' });
    await store.transition(
      probing.id,
      ['open'],
      'probing',
      { next_probe_at: START },
      { type: 'state_changed', at: clock.now(), actor: 'autoheal' },
    );
    const other = await open({ tenantId: 'globex' });

    const all = await http().get('/autoheal/incidents?tenant_id=globex').set('Authorization', as('operator')).expect(200);
    expect(all.body.incidents.map((i: IncidentRecord) => i.id).sort()).toEqual([probing.id, other.id].sort());
    expect(all.body.incidents.find((i: IncidentRecord) => i.id === probing.id)).toEqual({
      id: probing.id,
      tenant_id: 'globex',
      endpoint: probing.endpoint,
      kind: 'sustained_outage',
      severity: 'high',
      state: 'probing',
      first_failure_at: '2025-06-01T11:50:00.000Z',
      last_failure_at: START.toISOString(),
      opened_at: START.toISOString(),
      updated_at: START.toISOString(),
      recovered_at: null,
      resolved_at: null,
      first_probe_success_at: null,
      last_probe_at: null,
      next_probe_at: START.toISOString(),
      backlog_size: 140,
      delivered_by_heal: 0,
      sends_wasted: 0,
      probes: 0,
      ineffective_attempts: 0,
      time_to_heal_seconds: null,
      escalation_id: null,
      approval_id: null,
      version: 2,
    });

    const filtered = await http()
      .get('/autoheal/incidents?state=probing&tenant_id=globex&limit=5')
      .set('Authorization', as('admin'))
      .expect(200);
    expect(filtered.body.incidents.map((i: IncidentRecord) => i.id)).toEqual([probing.id]);
    const limited = await http().get('/autoheal/incidents?tenant_id=globex&limit=1').set('Authorization', as('admin')).expect(200);
    expect(limited.body.incidents).toHaveLength(1);
  });

  it('refuses bad list parameters with a 400 naming them', async () => {
    const auth = as('operator');
    expect((await http().get('/autoheal/incidents?state=closed').set('Authorization', auth).expect(400)).body.message).toMatch(
      /^state: state must be one of open, probing/,
    );
    expect((await http().get('/autoheal/incidents?limit=0').set('Authorization', auth).expect(400)).body.message).toMatch(/^limit:/);
    expect((await http().get('/autoheal/incidents?tenant_id=').set('Authorization', auth).expect(400)).body.message).toMatch(/^tenant_id:/);
    expect((await http().get('/autoheal/incidents?colour=red').set('Authorization', auth).expect(400)).body.message).toMatch(/colour/);
    expect((await http().get('/autoheal/approvals?status=maybe').set('Authorization', auth).expect(400)).body.message).toMatch(
      /^status: status must be one of pending/,
    );
  });

  it('shows one incident with its timeline oldest first and its approvals; 404 unknown, 400 not a UUID', async () => {
    const { incident, approval } = await awaitingApproval();
    clock.advance(30_000);
    await store.recordEvent(incident.id, { type: 'paged', at: clock.now(), actor: 'autoheal', detail: { approval_id: approval.id } });

    const res = await http().get(`/autoheal/incidents/${incident.id}`).set('Authorization', as('operator')).expect(200);
    expect(res.body).toMatchObject({ id: incident.id, state: 'awaiting_approval', approval_id: approval.id });
    expect(res.body.timeline.map((e: { type: string }) => e.type)).toEqual(['opened', 'approval_requested', 'paged']);
    expect(res.body.timeline[1]).toMatchObject({
      actor: 'autoheal',
      detail: { approval_id: approval.id, plan: PLAN, from: 'open', to: 'awaiting_approval' },
    });
    expect(res.body.approvals).toEqual([expect.objectContaining({ id: approval.id, status: 'pending', plan: PLAN, tenant_id: 'acme' })]);

    const missing = await http()
      .get('/autoheal/incidents/00000000-0000-4000-8000-000000000000')
      .set('Authorization', as('operator'))
      .expect(404);
    expect(missing.body.message).toBe('Incident 00000000-0000-4000-8000-000000000000 not found');
    expect((await http().get('/autoheal/incidents/abc').set('Authorization', as('operator')).expect(400)).body.message).toBe(
      'id: must be a UUID',
    );
  });

  it('approves with the caller as actor: the incident probes; a second decision is a 409; both audited', async () => {
    const { incident, approval } = await awaitingApproval();
    const pending = await http().get('/autoheal/approvals?status=pending').set('Authorization', as('operator')).expect(200);
    expect(pending.body.approvals.map((a: { id: string }) => a.id)).toContain(approval.id);

    const res = await http()
      .post(`/autoheal/approvals/${approval.id}/approve`)
      .set('Authorization', as('operator', 'oncall-alice'))
      .send({ note: 'customer confirmed the fix' })
      .expect(200);
    expect(res.body).toMatchObject({
      id: approval.id,
      status: 'approved',
      decided_by: 'oncall-alice',
      decided_at: clock.now().toISOString(),
      note: 'customer confirmed the fix',
      incident: { id: incident.id, state: 'probing', next_probe_at: clock.now().toISOString() },
    });
    const timeline = (await store.get(incident.id))!.timeline;
    expect(timeline.at(-1)).toMatchObject({ type: 'approved', actor: 'oncall-alice', detail: { note: 'customer confirmed the fix' } });

    const again = await http()
      .post(`/autoheal/approvals/${approval.id}/reject`)
      .set('Authorization', as('admin', 'oncall-bob'))
      .expect(409);
    expect(again.body).toMatchObject({ error: 'approval_not_pending', message: expect.stringMatching(/already approved by oncall-alice/) });

    const entries = await audited('approval_approve');
    expect(entries).toContainEqual(
      expect.objectContaining({ operator_id: 'oncall-alice', resource_type: 'approval', resource_id: approval.id, tenant_id: 'acme' }),
    );
    expect((await audited('approval_reject')).filter((e) => e.resource_id === approval.id)).toEqual([]);
  });

  it('rejects: the incident stays escalated', async () => {
    const { incident, approval } = await awaitingApproval();
    const res = await http().post(`/autoheal/approvals/${approval.id}/reject`).set('Authorization', as('admin', 'oncall-bob')).expect(200);
    expect(res.body).toMatchObject({
      status: 'rejected',
      decided_by: 'oncall-bob',
      note: null,
      incident: { id: incident.id, state: 'escalated' },
    });
    expect(await audited('approval_reject')).toContainEqual(
      expect.objectContaining({ operator_id: 'oncall-bob', resource_id: approval.id }),
    );
  });

  it('refuses an approval whose time has run out with a 409 naming when it expired', async () => {
    const { incident, approval } = await awaitingApproval(5);
    clock.advance(5 * 60_000 + 1);
    const res = await http()
      .post(`/autoheal/approvals/${approval.id}/approve`)
      .set('Authorization', as('operator', 'late-larry'))
      .expect(409);
    expect(res.body).toMatchObject({
      error: 'approval_expired',
      message: `Approval ${approval.id} expired at ${approval.expires_at.toISOString()}`,
    });
    const detail = await http().get(`/autoheal/incidents/${incident.id}`).set('Authorization', as('operator')).expect(200);
    expect(detail.body).toMatchObject({ state: 'escalated', approvals: [expect.objectContaining({ status: 'expired' })] });
    const expired = await http().get('/autoheal/approvals?status=expired').set('Authorization', as('operator')).expect(200);
    expect(expired.body.approvals.map((a: { id: string }) => a.id)).toContain(approval.id);
    expect((await audited('approval_approve')).filter((e) => e.operator_id === 'late-larry')).toEqual([]);
  });

  it('resolves with a note, audited; a resolved one is returned unchanged', async () => {
    const incident = await open({ tenantId: 'initech' });
    const res = await http()
      .post(`/autoheal/incidents/${incident.id}/resolve`)
      .set('Authorization', as('admin', 'oncall-carol'))
      .send({ note: 'endpoint retired' })
      .expect(200);
    expect(res.body).toMatchObject({ id: incident.id, state: 'resolved', resolved_at: clock.now().toISOString() });
    const timeline = (await store.get(incident.id))!.timeline;
    expect(timeline.at(-1)).toMatchObject({ type: 'resolved', actor: 'oncall-carol', detail: { note: 'endpoint retired' } });
    await http().post(`/autoheal/incidents/${incident.id}/resolve`).set('Authorization', as('operator')).expect(200);
    expect(await audited('incident_resolve')).toContainEqual(
      expect.objectContaining({ operator_id: 'oncall-carol', resource_type: 'incident', resource_id: incident.id, tenant_id: 'initech' }),
    );
  });

  it('validates decision and resolve bodies', async () => {
    const { approval } = await awaitingApproval();
    const auth = as('operator');
    expect(
      (await http().post(`/autoheal/approvals/${approval.id}/approve`).set('Authorization', auth).send({ note: 42 }).expect(400)).body
        .message,
    ).toMatch(/^note:/);
    expect(
      (await http().post(`/autoheal/approvals/${approval.id}/approve`).set('Authorization', auth).send({ force: true }).expect(400)).body
        .message,
    ).toMatch(/force/);
    expect((await http().post('/autoheal/approvals/xyz/reject').set('Authorization', auth).expect(400)).body.message).toBe(
      'id: must be a UUID',
    );
    expect((await http().post('/autoheal/incidents/xyz/resolve').set('Authorization', auth).expect(400)).body.message).toBe(
      'id: must be a UUID',
    );
    await http().post('/autoheal/approvals/00000000-0000-4000-8000-000000000000/approve').set('Authorization', auth).expect(404);
    // Nothing was decided by the refused calls.
    expect((await store.listApprovals({ status: 'pending', limit: 1000 })).map((a) => a.id)).toContain(approval.id);
  });

  it.each([
    ['viewer', 'get', '/autoheal/incidents'],
    ['viewer', 'get', '/autoheal/incidents/00000000-0000-4000-8000-000000000000'],
    ['viewer', 'post', '/autoheal/incidents/00000000-0000-4000-8000-000000000000/resolve'],
    ['viewer', 'get', '/autoheal/approvals'],
    ['viewer', 'post', '/autoheal/approvals/00000000-0000-4000-8000-000000000000/approve'],
    ['ingest', 'post', '/autoheal/approvals/00000000-0000-4000-8000-000000000000/reject'],
  ] as const)('refuses %s on %s %s (403)', async (role, method, path) => {
    await http()[method](path).set('Authorization', as(role)).expect(403);
  });

  it('refuses callers without a token (401)', async () => {
    await http().get('/autoheal/incidents').expect(401);
    await http().post('/autoheal/approvals/00000000-0000-4000-8000-000000000000/approve').expect(401);
  });
});
