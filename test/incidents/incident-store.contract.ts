import { DomainError } from '../../src/common/domain-error';
import { ApprovalPlan, IncidentRecord } from '../../src/incidents/incident';
import { IncidentStore, OpenIncident } from '../../src/incidents/incident-store.port';

export interface IncidentStoreUnderTest {
  store: IncidentStore;
  dispose(): Promise<void>;
}

const T0 = new Date('2025-06-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const PLAN: ApprovalPlan = { count: 140, oldest_at: '2025-06-01T11:00:00.000Z', target: 'https://a.example.com/hook' };

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** The behaviour every IncidentStore adapter must share; run once per adapter. */
export function describeIncidentStoreContract(name: string, factory: () => Promise<IncidentStoreUnderTest>): void {
  describe(`IncidentStore contract: ${name}`, () => {
    let subject: IncidentStoreUnderTest;
    let store: IncidentStore;
    let run = 0;
    // Tenants unique per test, so tests sharing one store do not see each other.
    let p = '';
    const outage = (fields: Partial<OpenIncident> = {}): OpenIncident => ({
      tenantId: p + 'tenant',
      endpoint: 'https://a.example.com/hook',
      kind: 'failure_burst',
      severity: 'high',
      firstFailureAt: at(-300),
      lastFailureAt: at(-10),
      backlogSize: 40,
      ...fields,
    });
    const open = async (fields: Partial<OpenIncident> = {}, now = T0): Promise<IncidentRecord> =>
      (await store.openOrUpdate(outage(fields), now)).incident;
    const awaiting = async (ttlMinutes = 60, fields: Partial<OpenIncident> = {}) => {
      const incident = await open({ severity: 'critical', ...fields });
      const { approval } = await store.requestApproval(incident.id, { plan: PLAN, ttlMinutes, actor: 'autoheal' }, at(1));
      return { incident, approval };
    };
    const types = async (id: string) => (await store.get(id))!.timeline.map((e) => e.type);

    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
    });
    beforeEach(() => {
      p = `c${++run}-`;
    });
    afterAll(() => subject?.dispose());

    describe('openOrUpdate', () => {
      it('opens an incident with an `opened` event, then updates the same one', async () => {
        const first = await store.openOrUpdate(outage({ cycleId: '11111111-1111-4111-8111-111111111111' }), T0);
        expect(first.created).toBe(true);
        expect(first.incident).toMatchObject({
          tenant_id: p + 'tenant',
          endpoint: 'https://a.example.com/hook',
          kind: 'failure_burst',
          severity: 'high',
          state: 'open',
          first_failure_at: at(-300),
          last_failure_at: at(-10),
          opened_at: T0,
          updated_at: T0,
          backlog_size: 40,
          delivered_by_heal: 0,
          sends_wasted: 0,
          probes: 0,
          ineffective_attempts: 0,
          time_to_heal_seconds: null,
          recovered_at: null,
          approval_id: null,
          version: 1,
        });

        const second = await store.openOrUpdate(
          outage({ severity: 'medium', firstFailureAt: at(-200), lastFailureAt: at(50), backlogSize: 55 }),
          at(60),
        );
        expect(second.created).toBe(false);
        // The window only widens and severity only rises; the backlog is what detection saw last.
        expect(second.incident).toMatchObject({
          id: first.incident.id,
          severity: 'high',
          first_failure_at: at(-300),
          last_failure_at: at(50),
          backlog_size: 55,
          opened_at: T0,
          updated_at: at(60),
          version: 2,
        });
        const raised = await store.openOrUpdate(outage({ severity: 'critical', firstFailureAt: at(-900) }), at(70));
        expect(raised.incident).toMatchObject({ id: first.incident.id, severity: 'critical', first_failure_at: at(-900) });

        const detail = (await store.get(first.incident.id))!;
        expect(detail.timeline).toEqual([
          {
            id: expect.any(String),
            incident_id: first.incident.id,
            at: T0,
            type: 'opened',
            cycle_id: '11111111-1111-4111-8111-111111111111',
            actor: 'autoheal',
            detail: { kind: 'failure_burst', severity: 'high', backlog_size: 40 },
          },
        ]);
      });

      it('opens one incident when several callers race for the same endpoint', async () => {
        const results = await Promise.all(Array.from({ length: 6 }, (_, i) => store.openOrUpdate(outage({ backlogSize: i }), at(i))));
        expect(new Set(results.map((r) => r.incident.id)).size).toBe(1);
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(await store.active({ tenantId: p + 'tenant' })).toHaveLength(1);
        expect(await types(results[0].incident.id)).toEqual(['opened']);
      });

      it('keeps endpoints and tenants apart, and opens a new incident once the last one is closed', async () => {
        const a = await open();
        const b = await open({ endpoint: 'https://b.example.com/hook' });
        const c = await open({ tenantId: p + 'other' });
        expect(new Set([a.id, b.id, c.id]).size).toBe(3);
        await store.resolve(a.id, 'alice', null, at(5));
        const again = await store.openOrUpdate(outage(), at(10));
        expect(again.created).toBe(true);
        expect(again.incident.id).not.toBe(a.id);
      });
    });

    describe('reading', () => {
      it('lists active incidents oldest first, filtered by tenant, endpoint and state', async () => {
        const first = await open({}, at(0));
        const second = await open({ endpoint: 'https://b.example.com/hook' }, at(10));
        const done = await open({ endpoint: 'https://c.example.com/hook' }, at(20));
        await store.resolve(done.id, 'alice', null, at(30));
        await store.transition(second.id, ['open'], 'probing', {}, { type: 'state_changed', at: at(40), actor: 'autoheal' });

        expect((await store.active({ tenantId: p + 'tenant' })).map((i) => i.id)).toEqual([first.id, second.id]);
        expect((await store.active({ tenantId: p + 'tenant', states: ['probing'] })).map((i) => i.id)).toEqual([second.id]);
        expect((await store.active({ tenantId: p + 'tenant', endpoint: 'https://a.example.com/hook' })).map((i) => i.id)).toEqual([
          first.id,
        ]);
        expect((await store.active()).map((i) => i.id)).toEqual(expect.arrayContaining([first.id, second.id]));
        expect((await store.active()).map((i) => i.id)).not.toContain(done.id);
      });

      it('lists newest first, by state, tenant or a set of tenants, up to the limit', async () => {
        const a = await open({}, at(0));
        const b = await open({ endpoint: 'https://b.example.com/hook' }, at(10));
        const other = await open({ tenantId: p + 'other' }, at(20));
        await store.resolve(a.id, 'alice', null, at(30));

        expect((await store.list({ tenantId: p + 'tenant', limit: 10 })).map((i) => i.id)).toEqual([b.id, a.id]);
        expect((await store.list({ tenantId: p + 'tenant', state: 'resolved', limit: 10 })).map((i) => i.id)).toEqual([a.id]);
        expect((await store.list({ tenantIds: [p + 'tenant', p + 'other'], limit: 10 })).map((i) => i.id)).toEqual([other.id, b.id, a.id]);
        expect((await store.list({ tenantIds: [p + 'tenant', p + 'other'], limit: 2 })).map((i) => i.id)).toEqual([other.id, b.id]);
        expect(await store.list({ tenantIds: [], limit: 10 })).toEqual([]);
      });

      it('answers null for an unknown id or one that is not a UUID', async () => {
        expect(await store.get(UNKNOWN)).toBeNull();
        expect(await store.get('not-a-uuid')).toBeNull();
      });
    });

    describe('transition', () => {
      it('moves state by compare-and-set, applies the patch and records from/to in the event', async () => {
        const incident = await open();
        const moved = await store.transition(
          incident.id,
          ['open'],
          'probing',
          { next_probe_at: at(60), escalation_id: null },
          {
            type: 'state_changed',
            at: at(1),
            actor: 'autoheal',
            cycleId: '22222222-2222-4222-8222-222222222222',
            detail: { why: 'first probe' },
          },
        );
        expect(moved).toMatchObject({
          id: incident.id,
          state: 'probing',
          next_probe_at: at(60),
          updated_at: at(1),
          version: incident.version + 1,
        });

        const recovered = await store.transition(
          incident.id,
          ['probing', 'draining'],
          'recovered',
          { recovered_at: at(300), first_probe_success_at: at(100), time_to_heal_seconds: 200.5, delivered_by_heal: 40, backlog_size: 0 },
          { type: 'recovered', at: at(300), actor: 'autoheal' },
        );
        expect(recovered).toMatchObject({
          state: 'recovered',
          recovered_at: at(300),
          time_to_heal_seconds: 200.5,
          delivered_by_heal: 40,
          backlog_size: 0,
        });

        const { timeline } = (await store.get(incident.id))!;
        expect(timeline.map((e) => [e.type, e.detail, e.cycle_id])).toEqual([
          ['opened', expect.any(Object), null],
          ['state_changed', { why: 'first probe', from: 'open', to: 'probing' }, '22222222-2222-4222-8222-222222222222'],
          ['recovered', { from: 'probing', to: 'recovered' }, null],
        ]);
      });

      it('refuses with null, changing nothing, when the incident is in another state or unknown', async () => {
        const incident = await open();
        expect(
          await store.transition(
            incident.id,
            ['probing', 'draining'],
            'recovered',
            { recovered_at: at(5) },
            { type: 'recovered', at: at(5), actor: 'a' },
          ),
        ).toBeNull();
        expect(await store.transition(UNKNOWN, ['open'], 'probing', {}, { type: 'state_changed', at: at(5), actor: 'a' })).toBeNull();
        expect(await store.transition('nope', ['open'], 'probing', {}, { type: 'state_changed', at: at(5), actor: 'a' })).toBeNull();
        const after = (await store.get(incident.id))!;
        expect(after).toMatchObject({ state: 'open', recovered_at: null, version: incident.version });
        expect(after.timeline.map((e) => e.type)).toEqual(['opened']);
      });

      it('lets exactly one of two racing transitions from the same state win', async () => {
        const incident = await open();
        const results = await Promise.all([
          store.transition(incident.id, ['open'], 'probing', {}, { type: 'state_changed', at: at(1), actor: 'instance-a' }),
          store.transition(incident.id, ['open'], 'escalated', {}, { type: 'state_changed', at: at(1), actor: 'instance-b' }),
        ]);
        const winners = results.filter((r) => r !== null);
        expect(winners).toHaveLength(1);
        expect((await store.get(incident.id))!.state).toBe(winners[0]!.state);
        expect(await types(incident.id)).toEqual(['opened', 'state_changed']);
      });

      it('refuses (409) to make an incident active beside another active one of the same endpoint', async () => {
        const old = await open();
        await store.transition(old.id, ['open'], 'recovered', { recovered_at: at(1) }, { type: 'recovered', at: at(1), actor: 'autoheal' });
        await open({}, at(2));
        const error = await refusal(
          store.transition(old.id, ['recovered'], 'probing', {}, { type: 'state_changed', at: at(3), actor: 'autoheal' }),
        );
        expect(error).toMatchObject({ code: 'incident_already_active', status: 409 });
        expect((await store.get(old.id))!.state).toBe('recovered');
      });
    });

    describe('events and counters', () => {
      it('appends events (activity) and answers 404 for an unknown incident', async () => {
        const incident = await open();
        const event = await store.recordEvent(incident.id, {
          type: 'probe',
          at: at(30),
          actor: 'autoheal',
          detail: { delivery_id: 'd1', http_status: 503 },
        });
        expect(event).toEqual({
          id: expect.any(String),
          incident_id: incident.id,
          at: at(30),
          type: 'probe',
          cycle_id: null,
          actor: 'autoheal',
          detail: { delivery_id: 'd1', http_status: 503 },
        });
        await store.recordEvent(incident.id, { type: 'skipped', at: at(20), actor: 'autoheal', detail: { reason: 'maintenance' } });
        const detail = (await store.get(incident.id))!;
        expect(detail.timeline.map((e) => e.type)).toEqual(['opened', 'skipped', 'probe']);
        // updated_at never moves back.
        expect(detail.updated_at).toEqual(at(30));
        expect((await refusal(store.recordEvent(UNKNOWN, { type: 'note', at: T0, actor: 'a' }))).status).toBe(404);
      });

      it('adds to counters atomically and replaces the backlog', async () => {
        const incident = await open();
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.increment(incident.id, { probes: 1, deliveredByHeal: 2, sendsWasted: i % 2, ineffectiveAttempts: 0 }, at(i)),
          ),
        );
        const counted = await store.increment(incident.id, { ineffectiveAttempts: 1 }, at(20));
        expect(counted).toMatchObject({
          probes: 10,
          delivered_by_heal: 20,
          sends_wasted: 5,
          ineffective_attempts: 1,
          updated_at: at(20),
          version: incident.version + 11,
        });
        expect(await store.setBacklog(incident.id, 7, at(21))).toMatchObject({ backlog_size: 7, probes: 10 });
        expect((await refusal(store.increment(UNKNOWN, { probes: 1 }, T0))).status).toBe(404);
        expect((await refusal(store.setBacklog('nope', 1, T0))).status).toBe(404);
      });
    });

    describe('approvals', () => {
      it('requests one: the incident awaits approval; a repeat while pending returns the same', async () => {
        const incident = await open({ severity: 'critical' });
        const first = await store.requestApproval(incident.id, { plan: PLAN, ttlMinutes: 0.5, actor: 'autoheal' }, at(1));
        expect(first.created).toBe(true);
        expect(first.approval).toEqual({
          id: expect.any(String),
          incident_id: incident.id,
          tenant_id: p + 'tenant',
          endpoint: 'https://a.example.com/hook',
          status: 'pending',
          plan: PLAN,
          requested_at: at(1),
          expires_at: at(31),
          decided_at: null,
          decided_by: null,
          note: null,
        });
        const repeat = await store.requestApproval(incident.id, { plan: { ...PLAN, count: 1 }, ttlMinutes: 60, actor: 'autoheal' }, at(2));
        expect(repeat).toEqual({ approval: first.approval, created: false });

        const detail = (await store.get(incident.id))!;
        expect(detail).toMatchObject({ state: 'awaiting_approval', approval_id: first.approval.id });
        expect(detail.approvals).toEqual([first.approval]);
        expect(detail.timeline[1]).toMatchObject({
          type: 'approval_requested',
          detail: { approval_id: first.approval.id, plan: PLAN, expires_at: at(31).toISOString(), from: 'open', to: 'awaiting_approval' },
        });
      });

      it('refuses to request one for an incident that is not active (409) or unknown (404)', async () => {
        const incident = await open();
        await store.resolve(incident.id, 'alice', null, at(1));
        expect(await refusal(store.requestApproval(incident.id, { plan: PLAN, ttlMinutes: 60, actor: 'autoheal' }, at(2)))).toMatchObject({
          code: 'incident_not_active',
          status: 409,
        });
        expect((await refusal(store.requestApproval(UNKNOWN, { plan: PLAN, ttlMinutes: 60, actor: 'autoheal' }, at(2)))).status).toBe(404);
      });

      it('approve: the incident probes at once; deciding again is a 409', async () => {
        const { incident, approval } = await awaiting();
        const decided = await store.decideApproval(approval.id, 'approve', { actor: 'alice', note: 'go', now: at(10) });
        expect(decided.approval).toMatchObject({
          id: approval.id,
          status: 'approved',
          decided_by: 'alice',
          decided_at: at(10),
          note: 'go',
        });
        expect(decided.incident).toMatchObject({ id: incident.id, state: 'probing', next_probe_at: at(10) });
        expect((await store.get(incident.id))!.timeline.at(-1)).toMatchObject({
          type: 'approved',
          actor: 'alice',
          detail: { approval_id: approval.id, note: 'go', from: 'awaiting_approval', to: 'probing' },
        });

        const again = await refusal(store.decideApproval(approval.id, 'reject', { actor: 'bob', now: at(11) }));
        expect(again).toMatchObject({ code: 'approval_not_pending', status: 409 });
        expect(again.message).toMatch(/already approved by alice/);
      });

      it('reject: the incident stays escalated', async () => {
        const { incident, approval } = await awaiting();
        const decided = await store.decideApproval(approval.id, 'reject', { actor: 'bob', now: at(10) });
        expect(decided.approval).toMatchObject({ status: 'rejected', decided_by: 'bob', note: null });
        expect(decided.incident.state).toBe('escalated');
        expect(await types(incident.id)).toEqual(['opened', 'approval_requested', 'rejected']);
      });

      it('lets one of two racing decisions win', async () => {
        const { approval } = await awaiting();
        const results = await Promise.allSettled([
          store.decideApproval(approval.id, 'approve', { actor: 'alice', now: at(10) }),
          store.decideApproval(approval.id, 'reject', { actor: 'bob', now: at(10) }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(failed.reason).toMatchObject({ code: 'approval_not_pending', status: 409 });
      });

      it('re-validates on decision: an overdue one is marked expired, its incident escalated, and refused', async () => {
        const { incident, approval } = await awaiting(1);
        const error = await refusal(store.decideApproval(approval.id, 'approve', { actor: 'alice', now: at(61) }));
        expect(error).toMatchObject({ code: 'approval_expired', status: 409 });
        expect(error.message).toBe(`Approval ${approval.id} expired at ${at(61).toISOString()}`);
        const detail = (await store.get(incident.id))!;
        expect(detail).toMatchObject({ state: 'escalated' });
        expect(detail.approvals[0]).toMatchObject({ status: 'expired', decided_at: at(61), decided_by: null });
        expect(detail.timeline.at(-1)).toMatchObject({
          type: 'approval_expired',
          at: at(61),
          detail: { approval_id: approval.id, expires_at: at(61).toISOString(), from: 'awaiting_approval', to: 'escalated' },
        });
        // Still refused as expired (not merely "not pending") the next time.
        expect(await refusal(store.decideApproval(approval.id, 'approve', { actor: 'alice', now: at(62) }))).toMatchObject({
          code: 'approval_expired',
        });
      });

      it('expires overdue approvals in bulk, leaving the others pending', async () => {
        const overdue = await awaiting(1);
        const fresh = await awaiting(60, { endpoint: 'https://b.example.com/hook' });
        const expired = (await store.expireApprovals(at(120))).filter((a) => a.tenant_id === p + 'tenant');
        expect(expired.map((a) => [a.id, a.status])).toEqual([[overdue.approval.id, 'expired']]);
        expect((await store.get(overdue.incident.id))!.state).toBe('escalated');
        expect((await store.get(fresh.incident.id))!.state).toBe('awaiting_approval');
        expect((await store.expireApprovals(at(120))).filter((a) => a.tenant_id === p + 'tenant')).toEqual([]);
      });

      it('replaces an overdue pending approval when a new one is requested', async () => {
        const { incident, approval } = await awaiting(1);
        const next = await store.requestApproval(incident.id, { plan: PLAN, ttlMinutes: 60, actor: 'autoheal' }, at(120));
        expect(next.created).toBe(true);
        expect(next.approval.id).not.toBe(approval.id);
        const detail = (await store.get(incident.id))!;
        expect(detail.approvals.map((a) => [a.id, a.status])).toEqual([
          [next.approval.id, 'pending'],
          [approval.id, 'expired'],
        ]);
        expect(detail.timeline.map((e) => e.type)).toEqual(['opened', 'approval_requested', 'approval_expired', 'approval_requested']);
        expect(detail).toMatchObject({ state: 'awaiting_approval', approval_id: next.approval.id });
      });

      it('closes the pending approval when the incident leaves awaiting_approval another way', async () => {
        const { incident, approval } = await awaiting();
        await store.resolve(incident.id, 'carol', 'fixed by the customer', at(20));
        const detail = (await store.get(incident.id))!;
        expect(detail.approvals[0]).toMatchObject({ status: 'expired', decided_by: 'carol', note: 'incident moved to resolved by carol' });
        const error = await refusal(store.decideApproval(approval.id, 'approve', { actor: 'alice', now: at(30) }));
        expect(error).toMatchObject({ code: 'approval_expired', status: 409 });
        expect(error.message).toMatch(/expired at .*: incident moved to resolved by carol/);
        expect(await store.listApprovals({ status: 'pending', tenantIds: [p + 'tenant'], limit: 10 })).toEqual([]);
      });

      it('lists newest first by status and tenant; 404 for an unknown approval', async () => {
        const a = await awaiting(60);
        const b = await awaiting(60, { tenantId: p + 'other' });
        await store.decideApproval(a.approval.id, 'reject', { actor: 'bob', now: at(5) });
        const mine = [p + 'tenant', p + 'other'];
        expect((await store.listApprovals({ tenantIds: mine, limit: 10 })).map((x) => x.id).sort()).toEqual(
          [a.approval.id, b.approval.id].sort(),
        );
        expect((await store.listApprovals({ tenantIds: mine, status: 'pending', limit: 10 })).map((x) => x.id)).toEqual([b.approval.id]);
        expect((await store.listApprovals({ tenantIds: [p + 'tenant'], status: 'rejected', limit: 10 })).map((x) => x.id)).toEqual([
          a.approval.id,
        ]);
        expect((await refusal(store.decideApproval(UNKNOWN, 'approve', { actor: 'a', now: T0 }))).status).toBe(404);
        expect((await refusal(store.decideApproval('nope', 'approve', { actor: 'a', now: T0 }))).status).toBe(404);
      });

      it('finds one approval by id, with its tenant; null for an unknown id or one that is not a UUID', async () => {
        const { approval } = await awaiting(60, { tenantId: p + 'other' });
        expect(await store.getApproval(approval.id)).toEqual(approval);
        expect(await store.getApproval(approval.id)).toMatchObject({ tenant_id: p + 'other' });
        expect(await store.getApproval(UNKNOWN)).toBeNull();
        expect(await store.getApproval('nope')).toBeNull();
      });
    });

    describe('closing', () => {
      it('resolves an active incident, returns a resolved one unchanged, refuses a recovered one', async () => {
        const incident = await open();
        const resolved = await store.resolve(incident.id, 'alice', 'customer fixed it', at(10));
        expect(resolved).toMatchObject({ state: 'resolved', resolved_at: at(10) });
        expect((await store.get(incident.id))!.timeline.at(-1)).toMatchObject({
          type: 'resolved',
          actor: 'alice',
          detail: { note: 'customer fixed it', from: 'open', to: 'resolved' },
        });
        expect(await store.resolve(incident.id, 'bob', null, at(20))).toEqual(resolved);

        const healed = await open({ endpoint: 'https://b.example.com/hook' });
        await store.transition(
          healed.id,
          ['open'],
          'recovered',
          { recovered_at: at(5) },
          { type: 'recovered', at: at(5), actor: 'autoheal' },
        );
        expect(await refusal(store.resolve(healed.id, 'alice', null, at(10)))).toMatchObject({ code: 'incident_not_active', status: 409 });
        expect((await refusal(store.resolve(UNKNOWN, 'alice', null, at(10)))).status).toBe(404);
      });

      it('expires active incidents with no failure and no activity since the cut-off', async () => {
        const quiet = await open({ lastFailureAt: at(-100) }, at(0));
        const failing = await open({ endpoint: 'https://b.example.com/hook', lastFailureAt: at(500) }, at(0));
        const busy = await open({ endpoint: 'https://c.example.com/hook', lastFailureAt: at(-100) }, at(0));
        await store.recordEvent(busy.id, { type: 'probe', at: at(600), actor: 'autoheal' });
        const { incident: waiting } = await awaiting(60, { endpoint: 'https://d.example.com/hook', lastFailureAt: at(-100) });

        const expired = (await store.expireStale(at(300), at(1000))).filter((i) => i.tenant_id === p + 'tenant');
        expect(expired.map((i) => i.id).sort()).toEqual([quiet.id, waiting.id].sort());
        expect(expired.every((i) => i.state === 'expired')).toBe(true);
        expect((await store.get(quiet.id))!.timeline.at(-1)).toMatchObject({
          type: 'state_changed',
          detail: { from: 'open', to: 'expired', reason: `no failure or activity since ${at(300).toISOString()}` },
        });
        expect((await store.get(waiting.id))!.approvals[0].status).toBe('expired');
        expect((await store.active({ tenantId: p + 'tenant' })).map((i) => i.id).sort()).toEqual([failing.id, busy.id].sort());
      });
    });
  });
}
