import { Coordination } from '../../src/coordination/coordination.port';
import { CYCLE_LOCK_KEY, CYCLE_SLOTS_KEY } from '../../src/engine/autoheal-engine.service';
import { EngineHarness, incidentFor, transient } from './engine-harness';
import { eventually } from '../utils/eventually';

/** Every safety check tried against the real engine and database, and shown to stop an action. */
describe('engine safety', () => {
  const h = new EngineHarness();
  let seq = 0;
  const fresh = (prefix: string) => `${prefix}${++seq}`;

  beforeAll(() => h.start());
  afterAll(() => h.stop());
  beforeEach(async () => {
    await h.resolveIncidents();
    h.rules.patch({});
    h.replayer.reset();
    h.notifier.clear();
    h.insights.setDefault({ rate: 0.9, samples: 20, basis: 'history' });
    h.clock.advance(60 * 60_000); // clear of every earlier test's cooldowns and windows
  });

  /** The guide's own decision tree: RECOVER_BACKLOG disabled for tenant-a. */
  const withoutBacklogRecovery = () => h.rules.patch({ tenant_overrides: { 'tenant-a': { disabled_strategies: ['RECOVER_BACKLOG'] } } });

  async function replayableIncident(endpoint = `https://${fresh('e')}.example/hook`, tenant = 'tenant-a', count = 6) {
    const ids = await h.seedFailures(fresh('d'), tenant, endpoint, transient(count));
    const incident = incidentFor(tenant, endpoint, { failures: count });
    return { endpoint, ids, incident };
  }

  it('replays a transient burst through the replayer and marks the deliveries', async () => {
    const { ids, incident } = await replayableIncident();
    h.detector.set([incident]);
    const res = await h.run(false).expect(200);
    expect(res.body.actions_taken).toEqual([expect.objectContaining({ strategy: 'REPLAY_RECENT', executed: true, count: ids.length })]);
    expect(h.replayer.requests.map((r) => r.idempotencyKey).sort()).toEqual([...ids].sort());
    const rows = await h.sql<{ status: string; autoheal: boolean }>(
      `SELECT status, (meta->>'autoheal')::boolean AS autoheal FROM deliveries WHERE id = ANY($1)`,
      [ids],
    );
    expect(rows.every((r) => r.status === 'delivered' && r.autoheal)).toBe(true);
  });

  it('kill switch (run time): 403 with a message, nothing runs; back on, it runs', async () => {
    const { incident } = await replayableIncident();
    h.detector.set([incident]);
    await h
      .http()
      .put('/autoheal/controls')
      .auth(h.admin, { type: 'bearer' })
      .send({ autoheal_enabled: false, reason: 'INC-7 investigation' })
      .expect(200);
    const refused = await h.run(false).expect(403);
    expect(refused.body.message).toMatch(/^Auto-healing is disabled by the global kill switch \(INC-7 investigation\)/);
    await h.run(true).expect(403);
    expect(h.replayer.requests).toHaveLength(0);
    const config = await h.http().get('/autoheal/config').auth(h.operator, { type: 'bearer' }).expect(200);
    expect(config.body.global_safety.autoheal_enabled).toBe(false);
    // Only admins hold the switch.
    await h.http().put('/autoheal/controls').auth(h.operator, { type: 'bearer' }).send({ autoheal_enabled: true }).expect(403);
    const back = await h.http().put('/autoheal/controls').auth(h.admin, { type: 'bearer' }).send({ autoheal_enabled: null }).expect(200);
    expect(back.body).toMatchObject({
      autoheal_enabled: true,
      reason: null,
      override: expect.objectContaining({ updated_by: 'admin-carol' }),
    });
    await h.run(false).expect(200);
    expect(h.replayer.requests.length).toBeGreaterThan(0);
  });

  it('kill switch (rules file): autoheal_enabled false gives 403', async () => {
    h.rules.patch({ global_safety: { autoheal_enabled: false } });
    const res = await h.run(true).expect(403);
    expect(res.body).toMatchObject({ statusCode: 403, error: 'autoheal_disabled' });
  });

  it('dry-run mode (run time) makes every cycle dry, even a live request', async () => {
    const { incident } = await replayableIncident();
    h.detector.set([incident]);
    await h.http().put('/autoheal/controls').auth(h.admin, { type: 'bearer' }).send({ dry_run: true }).expect(200);
    const res = await h.run(false).expect(200);
    await h.http().put('/autoheal/controls').auth(h.admin, { type: 'bearer' }).send({ dry_run: null }).expect(200);
    expect(res.body.dry_run).toBe(true);
    expect(res.body.actions_taken[0]).toMatchObject({ dry_run: true, would_replay: expect.any(Array) });
    expect(h.replayer.requests).toHaveLength(0);
  });

  it('severity: a critical incident is escalated, never replayed', async () => {
    const { incident } = await replayableIncident();
    h.detector.set([{ ...incident, severity: 'critical' }]);
    const res = await h.run(false).expect(200);
    expect(res.body.actions_taken).toEqual([
      expect.objectContaining({ strategy: 'ESCALATE_OPERATOR', priority: 'critical', created_incident: true }),
    ]);
    expect(h.replayer.requests).toHaveLength(0);
    expect(h.notifier.sent).toEqual([expect.objectContaining({ severity: 'critical', endpoint: incident.endpoint })]);
  });

  it('confidence: an endpoint whose replays keep failing is not replayed', async () => {
    withoutBacklogRecovery(); // with it, such an endpoint is probed (test/recovery/outage-healing.e2e-spec.ts)
    const { incident } = await replayableIncident();
    h.detector.set([incident]);
    h.insights.setDefault({ rate: 0.1, samples: 40, basis: 'replays' });
    const res = await h.run(false).expect(200);
    expect(res.body.actions_skipped).toEqual([
      expect.objectContaining({ check: 'confidence', reason: 'Confidence 0.43 below global minimum 0.50' }),
    ]);
    expect(h.replayer.requests).toHaveLength(0);
  });

  it('maintenance: an endpoint in maintenance is left alone until the window is cleared', async () => {
    const { endpoint, incident } = await replayableIncident();
    h.detector.set([incident]);
    await h
      .http()
      .put('/autoheal/maintenance')
      .auth(h.operator, { type: 'bearer' })
      .send({ endpoint, minutes: 30, reason: 'vendor migration' })
      .expect(200);
    const res = await h.run(false).expect(200);
    expect(res.body.actions_skipped).toEqual([
      expect.objectContaining({
        check: 'maintenance',
        reason: expect.stringMatching(/^Endpoint in maintenance mode \(vendor migration\)/),
      }),
    ]);
    expect(h.replayer.requests).toHaveLength(0);
    await h
      .http()
      .delete(`/autoheal/maintenance/${encodeURIComponent(endpoint)}`)
      .auth(h.operator, { type: 'bearer' })
      .expect(204);
    await h.run(false).expect(200);
    expect(h.replayer.requests.length).toBeGreaterThan(0);
  });

  it('cooldown: the second heal of one endpoint waits, a URL-encoded clear lifts it', async () => {
    const { endpoint, incident } = await replayableIncident();
    h.detector.set([incident]);
    await h.run(false).expect(200);
    await h.seedFailures(fresh('again'), 'tenant-a', endpoint, transient(6), 10);
    h.clock.advance(138_000);
    const res = await h.run(false).expect(200);
    expect(res.body.actions_skipped).toEqual([expect.objectContaining({ check: 'cooldown', reason: 'Cooldown active (2.3m < 5m)' })]);
    await h
      .http()
      .delete(`/autoheal/cooldown/${encodeURIComponent(endpoint)}`)
      .auth(h.operator, { type: 'bearer' })
      .expect(204);
    const after = await h.run(false).expect(200);
    expect(after.body.actions_taken).toEqual([expect.objectContaining({ strategy: 'REPLAY_RECENT', count: 6 })]);
  });

  it('business hours: automatic replays wait for them', async () => {
    const { incident } = await replayableIncident();
    h.detector.set([incident]);
    const hour = h.clock.now().getUTCHours();
    h.rules.patch({
      global_safety: {
        business_hours: { enabled: true, start_hour: (hour + 1) % 23, end_hour: ((hour + 1) % 23) + 1, days: [0, 1, 2, 3, 4, 5, 6] },
      },
    });
    const res = await h.run(false).expect(200);
    expect(res.body.actions_skipped).toEqual([expect.objectContaining({ check: 'business_hours' })]);
    expect(h.replayer.requests).toHaveLength(0);
  });

  it('strategy limits: only allowed triage labels are replayed', async () => {
    const endpoint = `https://${fresh('labels')}.example/hook`;
    const ids = await h.seedFailures(fresh('mix'), 'tenant-a', endpoint, [...transient(8), 'invalid_payload', 'permanent_4xx']);
    h.detector.set([incidentFor('tenant-a', endpoint, { failures: 10 })]);
    const res = await h.run(false).expect(200);
    expect(res.body.actions_taken).toEqual([expect.objectContaining({ strategy: 'REPLAY_RECENT', count: 8 })]);
    expect(h.replayer.requests.map((r) => r.deliveryId).sort()).toEqual(ids.slice(0, 8).sort());
  });

  it('strategy limits: a batch larger than max_deliveries is not replayed at once', async () => {
    withoutBacklogRecovery(); // with it, a transient batch this big is recovered by probe and drain instead
    const { incident } = await replayableIncident(undefined, 'tenant-a', 30);
    h.detector.set([incident]);
    const res = await h.run(false).expect(200);
    expect(res.body.actions_taken).toEqual([
      expect.objectContaining({
        strategy: 'DEFER_AND_MONITOR',
        rationale: expect.stringMatching(/too many to replay at once \(30 > 25\)/),
      }),
    ]);
    expect(h.replayer.requests).toHaveLength(0);
  });

  it('tenant policy: a tenant that disallows a strategy is not healed with it; max_replays raises the cap', async () => {
    h.rules.patch({ tenant_overrides: { 'tenant-nope': { disabled_strategies: ['REPLAY_RECENT'] }, 'tenant-big': { max_replays: 40 } } });
    const nope = await replayableIncident(undefined, 'tenant-nope');
    const big = await replayableIncident(undefined, 'tenant-big', 30);
    h.detector.set([nope.incident, big.incident]);
    const res = await h.run(false).expect(200);
    expect(res.body.actions_skipped).toEqual([
      expect.objectContaining({ check: 'tenant_policy', reason: 'Tenant tenant-nope does not allow REPLAY_RECENT' }),
    ]);
    expect(res.body.actions_taken).toEqual([
      expect.objectContaining({ strategy: 'REPLAY_RECENT', count: 30, incident: expect.objectContaining({ tenant_id: 'tenant-big' }) }),
    ]);
  });

  it('hourly cap: counted across cycles; dry run decides exactly as live would', async () => {
    h.rules.patch({ global_safety: { max_heals_per_hour: 2 } });
    const a = await replayableIncident();
    const b = await replayableIncident();
    const c = await replayableIncident();
    h.detector.set([a.incident, b.incident, c.incident]);
    const dry = await h.run(true).expect(200);
    const live = await h.run(false).expect(200);
    const decisions = (body: {
      actions_taken: { strategy: string; incident: { endpoint: string } }[];
      actions_skipped: { check: string; incident: { endpoint: string } }[];
    }) => [
      ...body.actions_taken.map((x) => `${x.incident.endpoint} ${x.strategy}`),
      ...body.actions_skipped.map((x) => `${x.incident.endpoint} skipped:${x.check}`),
    ];
    expect(decisions(live.body)).toEqual(decisions(dry.body));
    expect(live.body.actions_taken).toHaveLength(2);
    expect(live.body.actions_skipped).toEqual([
      expect.objectContaining({ check: 'hourly_cap', reason: 'Hourly heal cap reached (2/2 this hour)' }),
    ]);
    // The counter lives in coordination: the next cycle in the same hour is still capped.
    const d = await replayableIncident();
    h.detector.set([d.incident]);
    const next = await h.run(false).expect(200);
    expect(next.body.actions_skipped).toEqual([expect.objectContaining({ check: 'hourly_cap' })]);
  });

  it('dry run counts cooldowns inside the cycle: two tenants on one endpoint heal once', async () => {
    const shared = `https://${fresh('shared')}.example/hook`;
    const a = await replayableIncident(shared, 'tenant-a');
    const b = await replayableIncident(shared, 'tenant-b');
    h.detector.set([a.incident, b.incident]);
    const dry = await h.run(true).expect(200);
    const live = await h.run(false).expect(200);
    for (const body of [dry.body, live.body]) {
      expect(body.actions_taken).toHaveLength(1);
      expect(body.actions_skipped).toEqual([expect.objectContaining({ check: 'cooldown' })]);
    }
  });

  it('one failing incident never stops the others', async () => {
    const good = await replayableIncident();
    const bad = incidentFor('tenant-a', 'https://broken.example/hook', { failures: 6 });
    h.insights.failing.add(bad.endpoint);
    h.detector.set([bad, good.incident]);
    const res = await h.run(false).expect(200);
    expect(res.body.actions_skipped).toEqual([
      expect.objectContaining({
        check: 'error',
        reason: expect.stringMatching(/Error while handling the incident/),
        incident: expect.objectContaining({ endpoint: bad.endpoint }),
      }),
    ]);
    expect(res.body.actions_taken).toEqual([
      expect.objectContaining({ strategy: 'REPLAY_RECENT', incident: expect.objectContaining({ endpoint: good.endpoint }) }),
    ]);
  });

  it('deferral: rechecked, alerts after two in a row, escalates after the third', async () => {
    const endpoint = `https://${fresh('unclear')}.example/hook`;
    await h.seedFailures(fresh('u'), 'tenant-a', endpoint, [
      ...transient(5),
      'permanent_4xx',
      'permanent_4xx',
      'unknown',
      'unknown',
      'unknown',
    ]);
    h.detector.set([incidentFor('tenant-a', endpoint, { failures: 10 })]);
    const strategies: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await h.run(false).expect(200);
      strategies.push(...res.body.actions_taken.map((a: { strategy: string }) => a.strategy));
      if (i === 0)
        expect(res.body.actions_taken[0]).toMatchObject({
          recheck_after_seconds: 120,
          deferrals: 1,
          message: `Deferred ${endpoint} for 120s`,
        });
      if (i === 1)
        expect(h.notifier.sent).toEqual([
          expect.objectContaining({ title: expect.stringMatching(/deferred .* 2 times/), severity: 'warning' }),
        ]);
      h.clock.advance(121_000);
    }
    expect(strategies).toEqual(['DEFER_AND_MONITOR', 'DEFER_AND_MONITOR', 'DEFER_AND_MONITOR', 'ESCALATE_OPERATOR']);
    const [deferral] = await h.sql<{ status: string; deferrals: number }>(
      `SELECT status, deferrals FROM incident_deferrals WHERE endpoint = $1`,
      [endpoint],
    );
    expect(deferral).toEqual({ status: 'escalated', deferrals: 3 });
  });

  it('a deferral run ends when the incident clears', async () => {
    const endpoint = `https://${fresh('clears')}.example/hook`;
    await h.seedFailures(fresh('c'), 'tenant-a', endpoint, [...transient(5), 'unknown', 'unknown', 'unknown', 'unknown', 'unknown']);
    h.detector.set([incidentFor('tenant-a', endpoint, { failures: 10 })]);
    await h.run(false).expect(200);
    h.detector.set([]);
    await h.run(false).expect(200);
    const [deferral] = await h.sql<{ status: string }>(`SELECT status FROM incident_deferrals WHERE endpoint = $1`, [endpoint]);
    expect(deferral.status).toBe('cleared');
  });

  it('409 while another live cycle holds the lock; a dry run still runs', async () => {
    const coordination = h.t.app.get(Coordination);
    const token = await coordination.acquireLock(CYCLE_LOCK_KEY, 60_000);
    try {
      const res = await h.run(false).expect(409);
      expect(res.body.message).toMatch(/already running/);
      await h.run(true).expect(200);
    } finally {
      await coordination.releaseLock(CYCLE_LOCK_KEY, token!);
    }
  });

  it('429 with Retry-After beyond max_concurrent_heals cycles in flight', async () => {
    const coordination = h.t.app.get(Coordination);
    const slots = await Promise.all(Array.from({ length: 5 }, () => coordination.acquireSlot(CYCLE_SLOTS_KEY, 5, 60_000)));
    try {
      const res = await h.run(true).expect(429);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body.message).toMatch(/max_concurrent_heals/);
    } finally {
      for (const slot of slots) await coordination.releaseSlot(CYCLE_SLOTS_KEY, slot!);
    }
  });

  it('a hundred concurrent dry runs get only 200s and 429s, and the service stays up', async () => {
    const { incident, ids } = await replayableIncident();
    h.detector.set([incident]);
    // The cycles that got a slot wait inside detection until every other request has been answered.
    const release = h.detector.hold();
    try {
      let answered = 0;
      const runs = Array.from({ length: 100 }, () => h.run(true).then((r) => (answered++, r.status)));
      await eventually(() => expect({ held: h.detector.waiting, answered }).toEqual({ held: 5, answered: 95 }), 30_000);
      release();
      const statuses = await Promise.all(runs);
      expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(5);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    } finally {
      release();
    }
    await h.http().get('/health').expect(200);
    // None of its deliveries was sent. (An earlier test's in-process drain may still send its last few in the 200 ms
    // it takes to see that beforeEach resolved its incident: those are not the dry runs' sends.)
    expect(h.replayer.requests.filter((r) => ids.includes(r.deliveryId))).toEqual([]);
  });

  it('a failed page is retried by the next cycle; a worsening incident raises the priority', async () => {
    const endpoint = `https://${fresh('page')}.example/hook`;
    const incident = incidentFor('tenant-a', endpoint, { failures: 60, triage_distribution: { permanent_4xx: 60 } });
    await h.seedFailures(fresh('p'), 'tenant-a', endpoint, Array<string>(60).fill('permanent_4xx'));
    h.detector.set([incident]);
    h.notifier.failWith = new Error('slack is down');
    try {
      const first = await h.run(false).expect(200);
      expect(first.body.actions_taken).toEqual([
        expect.objectContaining({
          strategy: 'ESCALATE_OPERATOR',
          created_incident: true,
          notified: false,
          notification_error: 'slack is down',
        }),
      ]);
    } finally {
      h.notifier.failWith = null;
    }
    const retry = await h.run(false).expect(200);
    expect(retry.body.actions_taken).toEqual([
      expect.objectContaining({ strategy: 'ESCALATE_OPERATOR', created_incident: false, notified: true }),
    ]);
    expect(h.notifier.sent).toHaveLength(1);

    h.detector.set([{ ...incident, severity: 'critical', failures: 150 }]);
    const worse = await h.run(false).expect(200);
    expect(worse.body.actions_skipped).toEqual([expect.objectContaining({ check: 'already_escalated' })]);
    const [row] = await h.sql<{ priority: string; occurrences: number }>(
      `SELECT priority, occurrences FROM escalations WHERE endpoint = $1`,
      [endpoint],
    );
    expect(row).toEqual({ priority: 'critical', occurrences: 3 });
    expect(h.notifier.sent).toHaveLength(1);
  });

  it('tenant escalation delay: the page waits from the first cycle that wanted it, unless critical', async () => {
    const endpoint = `https://${fresh('premium')}.example/hook`;
    await h.seedFailures(fresh('pr'), 'tenant-premium', endpoint, Array<string>(60).fill('permanent_4xx'));
    const incident = incidentFor('tenant-premium', endpoint, { failures: 60, severity: 'high' });
    h.detector.set([incident]);
    const first = await h.run(false).expect(200);
    expect(first.body.actions_skipped).toEqual([
      expect.objectContaining({ check: 'tenant_policy', reason: 'Escalation delayed by tenant policy (0m < 5m)' }),
    ]);
    h.clock.advance(3 * 60_000);
    const second = await h.run(false).expect(200);
    expect(second.body.actions_skipped).toEqual([expect.objectContaining({ reason: 'Escalation delayed by tenant policy (3m < 5m)' })]);
    h.clock.advance(2 * 60_000);
    const third = await h.run(false).expect(200);
    expect(third.body.actions_taken).toEqual([expect.objectContaining({ strategy: 'ESCALATE_OPERATOR', created_incident: true })]);

    const urgent = `https://${fresh('premium-critical')}.example/hook`;
    h.detector.set([incidentFor('tenant-premium', urgent, { failures: 150, severity: 'critical' })]);
    const critical = await h.run(false).expect(200);
    expect(critical.body.actions_taken).toEqual([expect.objectContaining({ strategy: 'ESCALATE_OPERATOR', priority: 'critical' })]);
  });

  it('max_deferrals 0: an unclear incident is escalated at once, not crashed on', async () => {
    h.rules.patch({ strategy_limits: { DEFER_AND_MONITOR: { max_deferrals: 0, alert_after_deferrals: 0 } } });
    h.detector.set([
      incidentFor('tenant-a', `https://${fresh('spike')}.example/hook`, { kind: 'traffic_spike', failures: 0, severity: 'low' }),
    ]);
    const res = await h.run(false).expect(200);
    expect(res.body.actions_taken).toEqual([
      expect.objectContaining({ strategy: 'ESCALATE_OPERATOR', rationale: expect.stringMatching(/^Deferred 0 times/) }),
    ]);
  });

  it('a deferral whose incident was skipped is not rechecked on every poll', async () => {
    const endpoint = `https://${fresh('quiet')}.example/hook`;
    await h.seedFailures(fresh('q'), 'tenant-a', endpoint, [...transient(5), 'unknown', 'unknown', 'unknown', 'unknown', 'unknown']);
    h.detector.set([incidentFor('tenant-a', endpoint, { failures: 10 })]);
    await h.run(false).expect(200); // deferred, recheck in 120 s
    await h.http().put('/autoheal/maintenance').auth(h.operator, { type: 'bearer' }).send({ endpoint, minutes: 60 }).expect(200);
    h.clock.advance(121_000);
    const skipped = await h.run(false).expect(200);
    expect(skipped.body.actions_skipped).toEqual([expect.objectContaining({ check: 'maintenance' })]);
    const [{ recheck_at }] = await h.sql<{ recheck_at: Date }>(`SELECT recheck_at FROM incident_deferrals WHERE endpoint = $1`, [endpoint]);
    expect(new Date(recheck_at).getTime()).toBe(h.clock.now().getTime() + 120_000);
    await h
      .http()
      .delete(`/autoheal/maintenance/${encodeURIComponent(endpoint)}`)
      .auth(h.operator, { type: 'bearer' })
      .expect(204);
  });

  it('a delivery blocked by an interrupted replay is left out of dry and live runs alike', async () => {
    const { ids, incident } = await replayableIncident();
    // An interrupted claim on the first delivery's current attempt number.
    await h.sql(
      `INSERT INTO delivery_attempts (delivery_id, attempted_at, source, actor, outcome, replay_key)
       SELECT id, $2, 'autoheal', 'system:autoheal', 'abandoned', id || ':autoheal:' || attempts FROM deliveries WHERE id = $1`,
      [ids[0], h.clock.now()],
    );
    h.detector.set([incident]);
    const dry = await h.run(true).expect(200);
    expect([...dry.body.actions_taken[0].would_replay].sort()).toEqual(ids.slice(1).sort());
    const live = await h.run(false).expect(200);
    expect([...live.body.actions_taken[0].replayed].sort()).toEqual(ids.slice(1).sort());
    expect(h.replayer.requests.map((r) => r.deliveryId)).not.toContain(ids[0]);
  });
});
