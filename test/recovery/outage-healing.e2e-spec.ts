import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DeliveryStore } from '../../src/deliveries/delivery-store.port';
import { Notifier } from '../../src/escalation/notifier.port';
import { RecordingNotifier } from '../../src/escalation/recording-notifier.adapter';
import type { IncidentDetail, IncidentRecord } from '../../src/incidents/incident';
import { RulesSource } from '../../src/rules/rules.source';
import { MutableRulesSource } from '../engine/engine-harness';
import { dispatchAndReport, DispatchedDelivery } from '../utils/dispatcher';
import { eventually } from '../utils/eventually';
import { HttpReceiver, ReceivedRequest } from '../utils/http-receiver';
import { TEST_REDIS_URL } from '../utils/pg-admin';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

/** Scenario seconds per real second: a 30-minute outage takes 15 s, a 60 s probe interval 0.5 s. */
const SCALE = 120;
const PROBE_MS = (60 / SCALE) * 1000;
const TENANT = 'tenant-heal';
const DRAIN_CONCURRENCY = 4;

type Rules = Record<string, unknown>;
const merge = (a: Rules, b: Rules): Rules => {
  const out: Rules = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const nested = value && typeof value === 'object' && !Array.isArray(value) && typeof a[key] === 'object';
    out[key] = nested ? merge(a[key] as Rules, value as Rules) : value;
  }
  return out;
};
/** Every duration of the rules compressed by SCALE; the pacing stays real (sends per real second). */
const compressed = (extra: Rules = {}): Rules =>
  merge(
    {
      detection: { recent_window_minutes: 5 / SCALE, baseline_window_minutes: 60 / SCALE },
      strategy_limits: {
        RECOVER_BACKLOG: { probe_interval_seconds: 60 / SCALE, drain_concurrency: DRAIN_CONCURRENCY, drain_rate_per_second: 40 },
      },
      approvals: { ttl_minutes: 60 / SCALE },
      // A handful of endpoints is all this suite has: only the storm test makes a storm (by count).
      storm: { max_endpoint_share: 1 },
    },
    extra,
  );

/**
 * Real outages healed end to end, in compressed time: a dispatcher sends each webhook once to a
 * real receiver and reports its failure to POST /deliveries; the service (real PostgreSQL, Redis,
 * HTTP replayer, probe loop and scheduled cycles) must deliver every one of them once the receiver
 * is back, exactly once, sending nothing while it is down but one probe per probe interval.
 */
describe('healing real outages', () => {
  const rules = new MutableRulesSource();
  const notifier = new RecordingNotifier();
  let db: TestDatabase;
  let t: TestApp;
  let receiver: HttpReceiver;
  let ingest: string;
  let operator: string;
  let admin: string;
  const down = new Set<string>();
  let seq = 0;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = await new HttpReceiver().start();
    receiver.respond = (r) => (down.has(r.path) ? { status: 503 } : undefined);
    rules.patch(compressed());
    t = await createTestApp({
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
        AUTOHEAL_INTERVAL_SECONDS: String(300 / SCALE),
      },
      overrides: [
        [RulesSource, rules],
        [Notifier, notifier],
      ],
    });
    ingest = t.token('ingest', 'dispatcher');
    operator = t.token('operator', 'oncall-dana');
    admin = t.token('admin', 'admin-eve');
  });
  afterAll(async () => {
    await http().put('/autoheal/controls').auth(admin, { type: 'bearer' }).send({ autoheal_enabled: null });
    await t?.close();
    await receiver?.stop();
    await db?.drop();
  });
  beforeEach(() => {
    rules.patch(compressed());
    notifier.clear();
  });

  const endpoint = () => `/${`e${++seq}`}-${randomBytes(2).toString('hex')}`;
  const deliveries = (path: string, from: number, count: number): DispatchedDelivery[] =>
    Array.from({ length: count }, (_, i) => ({
      id: `${path.slice(1)}_${String(from + i).padStart(3, '0')}`,
      tenant_id: TENANT,
      target: receiver.url(path),
      payload: { order: from + i },
    }));
  /** The service's re-sends (the dispatcher's own sends carry no idempotency key). */
  const replays = (path: string): ReceivedRequest[] => receiver.at(path).filter((r) => r.headers['x-aetherlink-replay'] === 'autoheal');
  const incidentOf = async (path: string): Promise<IncidentRecord> => {
    const res = await http().get(`/autoheal/incidents?tenant_id=${TENANT}&limit=200`).auth(operator, { type: 'bearer' }).expect(200);
    const found = (res.body.incidents as IncidentRecord[]).find((i) => i.endpoint === receiver.url(path));
    if (!found) throw new Error(`no incident for ${path} yet`);
    return found;
  };
  const detailOf = async (id: string): Promise<IncidentDetail> =>
    (await http().get(`/autoheal/incidents/${id}`).auth(operator, { type: 'bearer' }).expect(200)).body;

  /** Every id delivered by a replay exactly once, and every delivery `delivered`. */
  async function expectEachDeliveredOnce(path: string, ids: string[], deadlineMs = 40_000): Promise<void> {
    await eventually(async () => {
      const ok = replays(path).filter((r) => r.status !== null && r.status < 300);
      expect(ok.map((r) => r.headers['idempotency-key']).sort()).toEqual([...ids].sort());
      // Settled after the answer arrives: the ledger says delivered a moment after the receiver does.
      const url = `/deliveries?tenant_id=${TENANT}&target=${encodeURIComponent(receiver.url(path))}&limit=1000`;
      const res = await http().get(url).auth(operator, { type: 'bearer' });
      expect(new Set(res.body.map((d: { status: string }) => d.status))).toEqual(new Set(['delivered']));
    }, deadlineMs);
  }

  /**
   * An outage of `minutes` scenario minutes, timed by the service's own probes (one per scenario
   * minute): `count` webhooks, the first five at once, the rest spread over the outage.
   */
  async function outage(path: string, minutes: number, count: number): Promise<{ ids: string[]; upAt: number }> {
    down.add(path);
    const all = deliveries(path, 1, count);
    await dispatchAndReport(t.app, ingest, all.slice(0, 5));
    const perProbe = Math.ceil((count - 5) / Math.max(1, minutes - 1));
    for (let sent = 5, probe = 1; sent < count; probe++) {
      await eventually(() => expect(replays(path).length).toBeGreaterThanOrEqual(probe), 20_000);
      await dispatchAndReport(t.app, ingest, all.slice(sent, sent + perProbe));
      sent += perProbe;
    }
    await eventually(() => expect(replays(path).length).toBeGreaterThanOrEqual(minutes), 30_000);
    receiver.maxInFlight = 0;
    down.delete(path);
    return { ids: all.map((d) => d.id), upAt: Date.now() };
  }

  /** While down, the only re-sends were probes, each at least a probe interval after the one before. */
  function expectOnlyProbesWhileDown(path: string, upAt: number): void {
    const whileDown = replays(path).filter((r) => r.at < upAt);
    expect(whileDown.every((r) => r.status === 503)).toBe(true);
    const gaps = whileDown.slice(1).map((r, i) => r.at - whileDown[i].at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(PROBE_MS * 0.9);
  }

  it("heals a cold endpoint's 503 burst once it answers: probed, not skipped, then drained", async () => {
    const path = endpoint();
    down.add(path);
    const burst = deliveries(path, 1, 10);
    await dispatchAndReport(t.app, ingest, burst);
    // Opened by the ingest itself, and probed within a probe interval or two.
    await eventually(() => expect(replays(path).length).toBeGreaterThanOrEqual(1), 10_000);
    const opened = await incidentOf(path);
    expect(['probing', 'draining']).toContain(opened.state);
    down.delete(path);
    await expectEachDeliveredOnce(
      path,
      burst.map((d) => d.id),
    );
    const healed = await eventually(async () => {
      const incident = await incidentOf(path);
      expect(incident.state).toBe('recovered');
      return incident;
    });
    expect(healed).toMatchObject({
      delivered_by_heal: 10,
      first_probe_success_at: expect.any(String),
      time_to_heal_seconds: expect.any(Number),
    });
    expect(healed.sends_wasted).toBe(healed.probes - 1);
    const timeline = (await detailOf(healed.id)).timeline.map((e) => e.type);
    expect(timeline).toEqual(expect.arrayContaining(['opened', 'state_changed', 'probe', 'drain_batch', 'recovered']));
  });

  describe('an outage seen only once the recent window holds enough failures (a long one, webhooks far apart)', () => {
    // Scenario minutes ago: a delivery at 40, then one failure every 8 minutes (never 5 in a 5-minute window), then 2
    // more now: the last 5 attempts failed, so it is a sustained outage, and its backlog begins 32 minutes ago.
    const AGES_MINUTES = [32, 24, 16, 8, 0, 0];
    const ageSeconds = (minutes: number) => (minutes * 60) / SCALE;
    const failuresOf = (path: string) =>
      deliveries(path, 1, AGES_MINUTES.length).map((d, i) => ({ ...d, ageSeconds: ageSeconds(AGES_MINUTES[i]) }));
    const delivered = (path: string) => ({ ...deliveries(path, 0, 1)[0], ageSeconds: ageSeconds(40) });

    it('opened by POST /deliveries: every failure since the last delivered one is drained, not only the recent window', async () => {
      const path = endpoint();
      await dispatchAndReport(t.app, ingest, [delivered(path)]);
      down.add(path);
      const failures = failuresOf(path);
      await dispatchAndReport(t.app, ingest, failures);
      const opened = await eventually(() => incidentOf(path), 10_000);
      expect(opened.kind).toBe('sustained_outage');
      expect(Date.parse(opened.first_failure_at as unknown as string)).toBeLessThanOrEqual(Date.now() - ageSeconds(32) * 1000 + 1000);
      down.delete(path);
      await expectEachDeliveredOnce(
        path,
        failures.map((d) => d.id),
      );
    });

    it('opened by a cycle (no ingest trigger): the same', async () => {
      const path = endpoint();
      const failures = failuresOf(path);
      const at = (minutes: number) => new Date(Date.now() - ageSeconds(minutes) * 1000);
      const outcome = (d: DispatchedDelivery, status: 'delivered' | 'failed', minutes: number) => ({
        id: d.id,
        tenant_id: d.tenant_id,
        target: d.target,
        status,
        http_status: status === 'delivered' ? 200 : 503,
        payload: d.payload,
        created_at: at(minutes),
        attempted_at: at(minutes),
      });
      // Straight into the store: POST /deliveries would open the incident itself.
      await t.app
        .get(DeliveryStore)
        .upsertBatch(
          [outcome(delivered(path), 'delivered', 40), ...failures.map((d, i) => outcome(d, 'failed', AGES_MINUTES[i]))],
          'dispatcher',
        );
      // A live cycle at once: the two newest failures leave the recent window one cycle interval from now, and a
      // scheduled cycle on a loaded machine can come just after that. 409 while a scheduled cycle holds the lock.
      await eventually(async () => {
        await http().post('/autoheal/run').auth(operator, { type: 'bearer' }).send({}).expect(200);
      });
      await expectEachDeliveredOnce(
        path,
        failures.map((d) => d.id),
      );
      const healed = await eventually(async () => {
        const incident = await incidentOf(path);
        expect(incident.state).toBe('recovered');
        return incident;
      });
      expect(healed.delivered_by_heal).toBe(failures.length);
    });
  });

  it.each([
    [3, 20],
    [30, 60],
  ])('recovers a %i-minute outage once the receiver is back: each delivery once, only probes while down, paced', async (minutes, count) => {
    const path = endpoint();
    const { ids, upAt } = await outage(path, minutes, count);
    await expectEachDeliveredOnce(path, ids);
    expectOnlyProbesWhileDown(path, upAt);
    expect(receiver.maxInFlight).toBeLessThanOrEqual(DRAIN_CONCURRENCY);
    const healed = await eventually(async () => {
      const incident = await incidentOf(path);
      expect(incident.state).toBe('recovered');
      return incident;
    });
    const lastDelivery = Math.max(...replays(path).map((r) => r.at));
    // The goal is ≤ 2 scenario minutes from recovery to the last delivery; a loaded machine gets slack.
    expect((lastDelivery - upAt) / 1000).toBeLessThan(10);
    expect(healed.delivered_by_heal).toBe(count);
  });

  it('never has more than drain_concurrency sends at the receiver at once', async () => {
    rules.patch(compressed({ strategy_limits: { RECOVER_BACKLOG: { drain_concurrency: 2, drain_rate_per_second: 200 } } }));
    const path = endpoint();
    down.add(path);
    const burst = deliveries(path, 1, 30);
    await dispatchAndReport(t.app, ingest, burst);
    await eventually(() => expect(replays(path).length).toBeGreaterThanOrEqual(1), 10_000);
    receiver.delayMs = 100;
    receiver.maxInFlight = 0;
    down.delete(path);
    try {
      await expectEachDeliveredOnce(
        path,
        burst.map((d) => d.id),
      );
    } finally {
      receiver.delayMs = 0;
    }
    expect(receiver.maxInFlight).toBe(2);
  });

  it('honours Retry-After: after a 429 nothing more is sent before it has passed, and the 429 is delivered later', async () => {
    // One send in flight, so every send after the 429 started after the drain read its Retry-After.
    rules.patch(compressed({ strategy_limits: { RECOVER_BACKLOG: { drain_concurrency: 1 } } }));
    const path = endpoint();
    down.add(path);
    const burst = deliveries(path, 1, 12);
    await dispatchAndReport(t.app, ingest, burst);
    await eventually(() => expect(replays(path).length).toBeGreaterThanOrEqual(1), 10_000);
    let limited: ReceivedRequest | undefined;
    receiver.respond = (r) => {
      if (down.has(r.path)) return { status: 503 };
      if (r.path === path && r.headers['x-aetherlink-replay'] && !limited && replays(path).filter((x) => x.status === 200).length >= 3) {
        limited = r;
        return { status: 429, headers: { 'retry-after': '1' } };
      }
      return undefined;
    };
    try {
      down.delete(path);
      await expectEachDeliveredOnce(
        path,
        burst.map((d) => d.id),
      );
    } finally {
      receiver.respond = (r) => (down.has(r.path) ? { status: 503 } : undefined);
    }
    expect(limited).toBeDefined();
    const after = replays(path).filter((r) => r.at > limited!.at);
    expect(after.length).toBeGreaterThan(0);
    expect(after[0].at - limited!.at).toBeGreaterThanOrEqual(1000);
  });

  it('stops a drain within one batch when the kill switch goes off, and finishes it once back on', async () => {
    // 120 failures at once would be critical (an approval first): this test is about the drain.
    rules.patch(
      compressed({
        strategy_limits: { RECOVER_BACKLOG: { drain_rate_per_second: 20 } },
        detection: { severity_thresholds: { critical: 1000 } },
      }),
    );
    const path = endpoint();
    down.add(path);
    const backlog = deliveries(path, 1, 120);
    await dispatchAndReport(t.app, ingest, backlog);
    await eventually(() => expect(replays(path).length).toBeGreaterThanOrEqual(1), 10_000);
    down.delete(path);
    await eventually(() => expect(replays(path).filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(20), 20_000);
    const off = { autoheal_enabled: false, reason: 'drain test' };
    await http().put('/autoheal/controls').auth(admin, { type: 'bearer' }).send(off).expect(200);
    const atSwitch = replays(path).length;
    const incident = await incidentOf(path);
    await eventually(async () => {
      const { timeline } = await detailOf(incident.id);
      const paused = expect.objectContaining({ type: 'skipped', detail: expect.objectContaining({ check: 'drain_paused' }) });
      expect(timeline).toEqual(expect.arrayContaining([paused]));
    });
    // One batch at 20/s (batchSizeFor: 5) plus the sends already in flight.
    expect(replays(path).length - atSwitch).toBeLessThanOrEqual(5 + DRAIN_CONCURRENCY);
    expect((await incidentOf(path)).state).toBe('draining');
    await http().put('/autoheal/controls').auth(admin, { type: 'bearer' }).send({ autoheal_enabled: null }).expect(200);
    await expectEachDeliveredOnce(
      path,
      backlog.map((d) => d.id),
    );
  });

  it('a storm pages once for all its endpoints, not once each', async () => {
    rules.patch(compressed({ storm: { max_incidents: 2 } }));
    const paths = [endpoint(), endpoint(), endpoint()];
    const gone = new Set(paths);
    receiver.respond = (r) => (gone.has(r.path) ? { status: 410 } : down.has(r.path) ? { status: 503 } : undefined);
    try {
      // Gone for good (410): each endpoint alone would be escalated with a page of its own.
      await dispatchAndReport(
        t.app,
        ingest,
        paths.flatMap((path) => deliveries(path, 1, 6)),
      );
      await eventually(async () => {
        const res = await http().get('/autoheal/escalations?status=open').auth(operator, { type: 'bearer' }).expect(200);
        const endpoints = res.body.map((e: { endpoint: string }) => e.endpoint);
        expect(endpoints).toEqual(expect.arrayContaining([...paths.map((p) => receiver.url(p)), 'storm']));
      }, 20_000);
      const pages = notifier.sent.filter((n) => n.title.startsWith('Auto-heal storm') || paths.some((p) => n.endpoint === receiver.url(p)));
      expect(pages).toEqual([expect.objectContaining({ title: expect.stringContaining('storm'), severity: 'critical' })]);
      for (const path of paths) expect(pages[0].text).toContain(receiver.url(path));
    } finally {
      receiver.respond = (r) => (down.has(r.path) ? { status: 503 } : undefined);
      for (const path of paths) {
        const incident = await incidentOf(path).catch(() => null);
        if (incident) await http().post(`/autoheal/incidents/${incident.id}/resolve`).auth(operator, { type: 'bearer' }).send({});
      }
    }
  });

  describe('critical incidents wait for an approval', () => {
    const critical = (extra: Rules = {}) =>
      compressed(merge({ detection: { min_failures: 2, severity_thresholds: { medium: 2, high: 3, critical: 4 } } }, extra));

    async function awaitingApproval(path: string) {
      down.add(path);
      const burst = deliveries(path, 1, 6);
      await dispatchAndReport(t.app, ingest, burst);
      const approval = await eventually(async () => {
        const res = await http().get('/autoheal/approvals?status=pending').auth(operator, { type: 'bearer' }).expect(200);
        const found = res.body.approvals.find((a: { endpoint: string }) => a.endpoint === receiver.url(path));
        expect(found).toBeDefined();
        return found as { id: string; incident_id: string; plan: { count: number; oldest_at: string; target: string } };
      }, 15_000);
      expect((await incidentOf(path)).state).toBe('awaiting_approval');
      return { burst, approval };
    }

    it('pages with the approval and its plan, sends nothing until approved, then probes and drains on its own', async () => {
      rules.patch(critical());
      const path = endpoint();
      const { burst, approval } = await awaitingApproval(path);
      expect(approval.plan).toEqual({ count: 6, oldest_at: expect.any(String), target: receiver.url(path) });
      const page = await eventually(() => {
        const found = notifier.sent.find((n) => n.endpoint === receiver.url(path));
        expect(found).toBeDefined();
        return found!;
      });
      expect(page.text).toContain(approval.id);
      expect(page.fields).toMatchObject({ approval_id: approval.id, backlog: '6', target: receiver.url(path) });
      expect(replays(path)).toEqual([]);
      down.delete(path);
      await http().post(`/autoheal/approvals/${approval.id}/approve`).auth(operator, { type: 'bearer' }).send({ note: 'go' }).expect(200);
      await expectEachDeliveredOnce(
        path,
        burst.map((d) => d.id),
      );
      const recovered = await eventually(async () => {
        const incident = await incidentOf(path);
        expect(incident.state).toBe('recovered');
        return incident;
      });
      // The approval's page is resolved with the outage: nobody is woken for one that healed.
      expect(recovered.escalation_id).toEqual(expect.any(String));
      const res = await http().get('/autoheal/escalations?status=resolved').auth(operator, { type: 'bearer' }).expect(200);
      expect(res.body).toContainEqual(expect.objectContaining({ id: recovered.escalation_id, resolved_by: 'autoheal' }));
    });

    it('a rejected approval escalates the incident and nothing is sent', async () => {
      rules.patch(critical());
      const path = endpoint();
      const { approval } = await awaitingApproval(path);
      down.delete(path);
      const res = await http()
        .post(`/autoheal/approvals/${approval.id}/reject`)
        .auth(operator, { type: 'bearer' })
        .send({ note: 'not now' })
        .expect(200);
      expect(res.body).toMatchObject({ status: 'rejected', incident: expect.objectContaining({ state: 'escalated' }) });
      // A cycle after the rejection has seen the incident and left it alone, saying why on its timeline.
      await eventually(async () => {
        const { timeline } = await detailOf(approval.incident_id);
        const rejected = timeline.findIndex((e) => e.type === 'rejected');
        expect(timeline.slice(rejected).map((e) => [e.type, e.detail.check])).toContainEqual(['skipped', 'incident_state']);
      }, 15_000);
      expect(replays(path)).toEqual([]);
      expect((await incidentOf(path)).state).toBe('escalated');
    });

    it('an approval nobody decides expires and the incident is escalated', async () => {
      rules.patch(critical({ approvals: { ttl_minutes: 0.02 } }));
      const path = endpoint();
      const { approval } = await awaitingApproval(path);
      await eventually(async () => {
        const res = await http().get('/autoheal/approvals?status=expired').auth(operator, { type: 'bearer' }).expect(200);
        expect(res.body.approvals.map((a: { id: string }) => a.id)).toContain(approval.id);
      }, 15_000);
      await eventually(async () => expect((await incidentOf(path)).state).toBe('escalated'));
      await http().post(`/autoheal/approvals/${approval.id}/approve`).auth(operator, { type: 'bearer' }).send({}).expect(409);
      expect(replays(path)).toEqual([]);
    });

    it('require_approval_for_critical false skips the approval', async () => {
      rules.patch(critical({ global_safety: { require_approval_for_critical: false } }));
      const path = endpoint();
      down.add(path);
      const burst = deliveries(path, 1, 6);
      await dispatchAndReport(t.app, ingest, burst);
      await eventually(() => expect(replays(path).length).toBeGreaterThanOrEqual(1), 10_000);
      down.delete(path);
      await expectEachDeliveredOnce(
        path,
        burst.map((d) => d.id),
      );
      const res = await http().get('/autoheal/approvals').auth(operator, { type: 'bearer' }).expect(200);
      expect(res.body.approvals.filter((a: { endpoint: string }) => a.endpoint === receiver.url(path))).toEqual([]);
    });
  });
});
