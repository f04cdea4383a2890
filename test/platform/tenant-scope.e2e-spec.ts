import request from 'supertest';
import { sign } from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import type { Incident } from '../../src/anomalies/incident';
import { AuditLog } from '../../src/audit/audit-log.port';
import type { Role } from '../../src/auth/roles';
import { Clock, ManualClock } from '../../src/clock/clock';
import { CycleHistoryStore } from '../../src/cycle-history/cycle-history-store.port';
import { DeliveryStore } from '../../src/deliveries/delivery-store.port';
import type { ActionSkipped, ActionTaken, IncidentSummary } from '../../src/engine/cycle-result';
import { EscalationService } from '../../src/escalation/escalation.service';
import { IncidentStore } from '../../src/incidents/incident-store.port';
import { MaintenanceStore } from '../../src/maintenance/maintenance-store.port';
import { RecoveryStore } from '../../src/recovery/recovery-store.port';
import { SigningSettingsStore } from '../../src/signing/signing-settings-store.port';
import { TenantThrottles } from '../../src/throttles/tenant-throttles.service';
import { SilenceStore } from '../../src/escalation/silence-store.port';
import { openDataSource, seedDeliveries } from '../anomalies/seed-deliveries';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const A = 'tenant-a';
const B = 'tenant-b';
const EA = 'https://a.example.com/hook';
const EB = 'https://b.example.com/hook';
const minutesAgo = (n: number) => new Date(NOW.getTime() - n * 60_000);

type Method = 'get' | 'post' | 'put' | 'delete';

/** What seeding left behind, per tenant. */
interface Seeded {
  incident: Record<string, string>;
  approval: Record<string, string>;
  escalation: Record<string, string>;
  recovery: Record<string, string>;
  silence: Record<string, string>;
}

interface RouteCase {
  /** The controller's route, as Express lists it, so the table provably covers every route. */
  route: string;
  name: string;
  method: Method;
  path: (s: Seeded) => string;
  body?: unknown;
  roles: Role[];
  status: number;
  /** Runs before each role's request (to put back what the previous role's request changed). */
  before?: () => Promise<unknown>;
  /** Checks the answer (and, for writes, what is stored) for a token scoped to tenant A. */
  check?: (body: unknown, s: Seeded, message: string) => Promise<void> | void;
}

const tenantsOf = (rows: unknown) => [...new Set((rows as Array<{ tenant_id: string }>).map((r) => r.tenant_id))].sort();

describe('tenant-scoped tokens, on every route', () => {
  let db: TestDatabase;
  let t: TestApp;
  let dataSource: DataSource;
  let deliveries: DeliveryStore;
  let incidents: IncidentStore;
  let maintenance: MaintenanceStore;
  const seeded: Seeded = { incident: {}, approval: {}, escalation: {}, recovery: {}, silence: {} };
  const clock = new ManualClock(NOW);
  const http = () => request(t.app.getHttpServer());
  const scoped = (role: Role, tenants = [A]) => t.token(role, `support-${role}`, '1h', tenants);
  const send = (method: Method, path: string, token: string, body?: unknown) => {
    const req = http()[method](path).set('Authorization', `Bearer ${token}`);
    return body === undefined ? req : req.send(body as object);
  };

  const putSigning = (token: string, tenant: string, endpoint: string) =>
    send('put', '/autoheal/endpoints/signing', token, { tenant_id: tenant, endpoint, scheme: 'hmac-sha256', secret: `secret-${tenant}` });
  const signed = async (tenant: string, endpoint: string) => (await t.app.get(SigningSettingsStore).get(tenant, endpoint)) !== null;

  const summary = (tenant: string, endpoint: string): IncidentSummary => ({
    tenant_id: tenant,
    endpoint,
    severity: 'high',
    failures: 40,
    kind: 'failure_burst',
  });
  const taken = (tenant: string, endpoint: string): ActionTaken => ({
    strategy: 'REPLAY_RECENT',
    probability: 0.9,
    executed: true,
    incident: summary(tenant, endpoint),
    rationale: 'transient failures',
    count: tenant === A ? 3 : 5,
  });
  const skipped = (tenant: string, endpoint: string): ActionSkipped => ({
    incident: summary(tenant, endpoint),
    strategy: 'REPLAY_RECENT',
    check: 'cooldown',
    reason: 'in cooldown',
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    t = await createTestApp({
      env: {
        DATABASE_URL: db.url,
        NOTIFY_WEBHOOK_URL: undefined,
        SIGNING_KEYS: `k1:${Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 1)).toString('base64')}`,
      },
      overrides: [[Clock, clock]],
    });
    for (const [tenant, endpoint] of [
      [A, EA],
      [B, EB],
    ]) {
      await putSigning(t.token('admin'), tenant, endpoint).expect(200);
    }
    deliveries = t.app.get(DeliveryStore);
    incidents = t.app.get(IncidentStore);
    maintenance = t.app.get(MaintenanceStore);

    // A failure burst per tenant (real detection), and one delivery each with a payload to protect.
    for (const [tenant, target] of [
      [A, EA],
      [B, EB],
    ]) {
      await seedDeliveries(dataSource, NOW, [
        { tenant, target, minutesAgo: 30, spreadToMinutesAgo: 50, count: 100, status: 'delivered' },
        { tenant, target, minutesAgo: 1, spreadToMinutesAgo: 4, count: 40, status: 'failed', triage: 'server_error', error: 'HTTP 503' },
      ]);
    }
    await deliveries.upsertBatch(
      [
        { id: 'a-1', tenant_id: A, target: EA, status: 'failed', http_status: 503, payload: { order: 'a' }, attempted_at: minutesAgo(2) },
        {
          id: 'b-1',
          tenant_id: B,
          target: EB,
          status: 'failed',
          http_status: 503,
          payload: { order: 'b' },
          headers: { 'x-sig': 'b' },
          attempted_at: minutesAgo(2),
        },
      ],
      'dispatcher',
    );

    const plan = (target: string) => ({ count: 40, oldest_at: minutesAgo(4).toISOString(), target });
    for (const [tenant, endpoint] of [
      [A, EA],
      [B, EB],
    ]) {
      const opened = {
        kind: 'failure_burst' as const,
        severity: 'critical' as const,
        firstFailureAt: minutesAgo(4),
        lastFailureAt: minutesAgo(1),
        backlogSize: 40,
      };
      const { incident } = await incidents.openOrUpdate({ tenantId: tenant, endpoint, ...opened }, NOW);
      seeded.incident[tenant] = incident.id;
      // A second incident on another endpoint awaits approval (the first one is resolved in the table).
      const other = (await incidents.openOrUpdate({ tenantId: tenant, endpoint: `${endpoint}/approval`, ...opened }, NOW)).incident;
      const requested = await incidents.requestApproval(other.id, { plan: plan(endpoint), ttlMinutes: 60, actor: 'autoheal' }, NOW);
      seeded.approval[tenant] = requested.approval.id;
      const escalation = await t.app.get(EscalationService).open({
        incident: await detectedIncident(tenant),
        priority: 'high',
        reason: 'permanent failures',
        now: NOW,
      });
      seeded.escalation[tenant] = escalation.escalation.id;
      const recovery = await t.app.get(RecoveryStore).create(
        {
          tenantId: tenant,
          endpoint,
          since: minutesAgo(10),
          until: null,
          statuses: ['failed'],
          triageLabels: null,
          total: 0,
          createdBy: 'root',
        },
        NOW,
      );
      seeded.recovery[tenant] = recovery.id;
      await maintenance.set(endpoint, new Date(NOW.getTime() + 3_600_000), 'deploy', 'platform', NOW);
      const silence = await t.app.get(SilenceStore).create({
        signature: 'http <n>',
        tenantId: tenant,
        now: NOW,
        durationMinutes: 15,
        dedupWindowSeconds: 300,
        maxOccurrences: 10,
        createdBy: 'system:autoheal',
        comment: null,
        incidentId: null,
      });
      seeded.silence[tenant] = silence.id;
      await t.app
        .get(TenantThrottles)
        .apply({ tenantId: tenant, factor: 0.5, durationMinutes: 30, reason: 'flood', actor: 'autoheal', now: NOW });
    }
    const audit = t.app.get(AuditLog);
    for (const [tenant, at] of [
      [A, minutesAgo(3)],
      [B, minutesAgo(2)],
    ] as const) {
      await audit.record({ operator_id: 'system:autoheal', action: 'autoheal_replay', resource_type: 'delivery', tenant_id: tenant, at });
    }
    await audit.record({ operator_id: 'root', action: 'autoheal_controls_set', resource_type: 'autoheal_controls', at: minutesAgo(1) });
    await t.app.get(CycleHistoryStore).save({
      run_at: minutesAgo(1).toISOString(),
      incidents_detected: 3,
      actions_taken: [taken(A, EA), taken(B, EB)],
      actions_skipped: [skipped(B, `${EB}/2`)],
      total_replays: 8,
      total_escalations: 0,
      total_deferrals: 0,
      execution_time_ms: 12,
      dry_run: false,
    });
  });
  afterAll(async () => {
    await t?.close();
    await dataSource?.destroy();
    await db?.drop();
  });

  async function detectedIncident(tenant: string): Promise<Incident> {
    const res = await send('get', '/anomalies/current', t.token('operator')).expect(200);
    const found = (res.body.incidents as Incident[]).find((i) => i.tenant_id === tenant);
    if (!found) throw new Error(`seeding: no incident detected for ${tenant}`);
    return found;
  }

  const enc = encodeURIComponent;
  const ROUTES: RouteCase[] = [
    {
      route: 'POST /deliveries',
      name: 'ingest of its own tenant',
      method: 'post',
      path: () => '/deliveries',
      body: [{ id: 'a-2', tenant_id: A, target: EA, status: 'failed', http_status: 503 }],
      roles: ['ingest', 'admin'],
      status: 200,
      check: async () => expect(await deliveries.findById('a-2')).toMatchObject({ tenant_id: A }),
    },
    {
      route: 'POST /deliveries',
      name: 'ingest naming another tenant: the whole batch is refused',
      method: 'post',
      path: () => '/deliveries',
      body: [
        { id: 'a-3', tenant_id: A, target: EA, status: 'failed', http_status: 503 },
        { id: 'b-2', tenant_id: B, target: EB, status: 'failed', http_status: 503 },
      ],
      roles: ['ingest', 'admin'],
      status: 403,
      check: async (_, __, message) => {
        expect(message).toBe(`[1].tenant_id: tenant "${B}" is outside this token's scope (tenant "${A}")`);
        expect(await deliveries.findById('a-3')).toBeNull();
        expect(await deliveries.findById('b-2')).toBeNull();
      },
    },
    {
      route: 'GET /deliveries',
      name: 'lists only its tenants',
      method: 'get',
      path: () => '/deliveries?limit=1000',
      roles: ['viewer', 'operator', 'admin'],
      status: 200,
      check: (body) => {
        expect(tenantsOf(body)).toEqual([A]);
        expect((body as Array<{ id: string }>).map((d) => d.id)).toContain('a-1');
      },
    },
    {
      route: 'GET /deliveries',
      name: 'asking for another tenant finds nothing',
      method: 'get',
      path: () => `/deliveries?tenant_id=${B}`,
      roles: ['viewer', 'operator', 'admin'],
      status: 200,
      check: (body) => expect(body).toEqual([]),
    },
    {
      route: 'GET /deliveries/:id',
      name: 'reads its own delivery',
      method: 'get',
      path: () => '/deliveries/a-1',
      roles: ['viewer', 'operator', 'admin'],
      status: 200,
      check: (body) => expect(body).toMatchObject({ id: 'a-1', tenant_id: A, payload: { order: 'a' } }),
    },
    {
      route: 'GET /deliveries/:id',
      name: "another tenant's delivery is not found (404, not 403: ids do not leak)",
      method: 'get',
      path: () => '/deliveries/b-1',
      roles: ['viewer', 'operator', 'admin'],
      status: 404,
      check: (_, __, message) => expect(message).toBe('Delivery b-1 not found'),
    },
    {
      route: 'GET /anomalies/current',
      name: "only its tenants' incidents",
      method: 'get',
      path: () => '/anomalies/current',
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(tenantsOf((body as { incidents: unknown[] }).incidents)).toEqual([A]),
    },
    {
      route: 'GET /autoheal/incidents',
      name: "only its tenants' incidents",
      method: 'get',
      path: () => '/autoheal/incidents?limit=100',
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(tenantsOf((body as { incidents: unknown[] }).incidents)).toEqual([A]),
    },
    {
      route: 'GET /autoheal/incidents',
      name: 'asking for another tenant finds nothing',
      method: 'get',
      path: () => `/autoheal/incidents?tenant_id=${B}`,
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(body).toEqual({ incidents: [] }),
    },
    {
      route: 'GET /autoheal/incidents/:id',
      name: 'reads its own incident',
      method: 'get',
      path: (s) => `/autoheal/incidents/${s.incident[A]}`,
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(body).toMatchObject({ tenant_id: A }),
    },
    {
      route: 'GET /autoheal/incidents/:id',
      name: "another tenant's incident is not found",
      method: 'get',
      path: (s) => `/autoheal/incidents/${s.incident[B]}`,
      roles: ['operator', 'admin'],
      status: 404,
    },
    {
      route: 'POST /autoheal/incidents/:id/resolve',
      name: "another tenant's incident is not found, and stays open",
      method: 'post',
      path: (s) => `/autoheal/incidents/${s.incident[B]}/resolve`,
      body: {},
      roles: ['operator', 'admin'],
      status: 404,
      check: async (_, s) => expect(await incidents.get(s.incident[B])).toMatchObject({ state: 'open' }),
    },
    {
      route: 'POST /autoheal/incidents/:id/resolve',
      name: 'resolves its own incident',
      method: 'post',
      path: (s) => `/autoheal/incidents/${s.incident[A]}/resolve`,
      body: {},
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(body).toMatchObject({ tenant_id: A, state: 'resolved' }),
    },
    {
      route: 'GET /autoheal/approvals',
      name: "only its tenants' approvals",
      method: 'get',
      path: () => '/autoheal/approvals',
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(tenantsOf((body as { approvals: unknown[] }).approvals)).toEqual([A]),
    },
    {
      route: 'POST /autoheal/approvals/:id/reject',
      name: "another tenant's approval is not found, and stays pending",
      method: 'post',
      path: (s) => `/autoheal/approvals/${s.approval[B]}/reject`,
      body: {},
      roles: ['operator', 'admin'],
      status: 404,
      check: async (_, s) => expect(await incidents.getApproval(s.approval[B])).toMatchObject({ status: 'pending' }),
    },
    {
      route: 'POST /autoheal/approvals/:id/approve',
      name: "another tenant's approval is not found, and stays pending",
      method: 'post',
      path: (s) => `/autoheal/approvals/${s.approval[B]}/approve`,
      body: {},
      roles: ['operator', 'admin'],
      status: 404,
      check: async (_, s) => expect(await incidents.getApproval(s.approval[B])).toMatchObject({ status: 'pending' }),
    },
    {
      route: 'POST /autoheal/approvals/:id/approve',
      name: 'approves its own',
      method: 'post',
      path: (s) => `/autoheal/approvals/${s.approval[A]}/approve`,
      body: {},
      // Approving twice is a 409, so one role.
      roles: ['operator'],
      status: 200,
      check: (body) => expect(body).toMatchObject({ tenant_id: A, status: 'approved' }),
    },
    {
      route: 'GET /autoheal/escalations',
      name: "only its tenants' escalations",
      method: 'get',
      path: () => '/autoheal/escalations',
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(tenantsOf(body)).toEqual([A]),
    },
    {
      route: 'POST /autoheal/escalations/:id/ack',
      name: "another tenant's escalation is not found, and stays open",
      method: 'post',
      path: (s) => `/autoheal/escalations/${s.escalation[B]}/ack`,
      roles: ['operator', 'admin'],
      status: 404,
      check: async (_, s) => expect(await t.app.get(EscalationService).get(s.escalation[B])).toMatchObject({ status: 'open' }),
    },
    {
      route: 'POST /autoheal/escalations/:id/ack',
      name: 'acknowledges its own',
      method: 'post',
      path: (s) => `/autoheal/escalations/${s.escalation[A]}/ack`,
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(body).toMatchObject({ tenant_id: A, status: 'acknowledged' }),
    },
    {
      route: 'POST /autoheal/escalations/:id/resolve',
      name: "another tenant's escalation is not found, and stays open",
      method: 'post',
      path: (s) => `/autoheal/escalations/${s.escalation[B]}/resolve`,
      roles: ['operator', 'admin'],
      status: 404,
      check: async (_, s) => expect(await t.app.get(EscalationService).get(s.escalation[B])).toMatchObject({ status: 'open' }),
    },
    {
      route: 'POST /autoheal/escalations/:id/resolve',
      name: 'resolves its own',
      method: 'post',
      path: (s) => `/autoheal/escalations/${s.escalation[A]}/resolve`,
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(body).toMatchObject({ tenant_id: A, status: 'resolved' }),
    },
    {
      route: 'GET /operator/audit',
      name: 'only entries about its tenants (platform-level entries name no tenant and are left out)',
      method: 'get',
      path: () => '/operator/audit?limit=1000',
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => {
        expect(tenantsOf(body)).toEqual([A]);
        expect((body as Array<{ action: string }>).map((e) => e.action)).toContain('autoheal_replay');
      },
    },
    {
      route: 'GET /operator/audit',
      name: 'asking for another tenant finds nothing',
      method: 'get',
      path: () => `/operator/audit?tenant_id=${B}`,
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(body).toEqual([]),
    },
    {
      route: 'DELETE /autoheal/cooldown/*endpoint',
      name: 'clears the cooldown of its own endpoint',
      method: 'delete',
      path: () => `/autoheal/cooldown/${enc(EA)}`,
      roles: ['operator', 'admin'],
      status: 204,
    },
    {
      route: 'DELETE /autoheal/cooldown/*endpoint',
      name: "refuses another tenant's endpoint",
      method: 'delete',
      path: () => `/autoheal/cooldown/${enc(EB)}`,
      roles: ['operator', 'admin'],
      status: 403,
      check: (_, __, message) =>
        expect(message).toBe(
          `endpoint: clearing the cooldown of ${EB} needs a delivery of tenant "${A}" to it; ` +
            "this token may not act on other tenants' endpoints",
        ),
    },
    {
      route: 'GET /autoheal/maintenance',
      name: "lists only its endpoints' windows",
      method: 'get',
      path: () => '/autoheal/maintenance',
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect((body as Array<{ endpoint: string }>).map((w) => w.endpoint)).toEqual([EA]),
    },
    {
      route: 'PUT /autoheal/maintenance',
      name: "refuses a window on another tenant's endpoint, and sets none",
      method: 'put',
      path: () => '/autoheal/maintenance',
      body: { endpoint: `${EB}/other`, minutes: 30 },
      roles: ['operator', 'admin'],
      status: 403,
      check: async (_, __, message) => {
        expect(message).toMatch(new RegExp(`^endpoint: a maintenance window on ${EB}/other needs a delivery of tenant "${A}"`));
        expect((await maintenance.active(NOW)).has(`${EB}/other`)).toBe(false);
      },
    },
    {
      route: 'PUT /autoheal/maintenance',
      name: 'sets a window on its own endpoint',
      method: 'put',
      path: () => '/autoheal/maintenance',
      body: { endpoint: EA, minutes: 30, reason: 'tenant deploy' },
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(body).toMatchObject({ endpoint: EA, reason: 'tenant deploy' }),
    },
    {
      route: 'DELETE /autoheal/maintenance/*endpoint',
      name: "refuses to clear another tenant's window, which stays",
      method: 'delete',
      path: () => `/autoheal/maintenance/${enc(EB)}`,
      roles: ['operator', 'admin'],
      status: 403,
      check: async () => expect((await maintenance.active(NOW)).has(EB)).toBe(true),
    },
    {
      route: 'DELETE /autoheal/maintenance/*endpoint',
      name: 'clears its own window',
      method: 'delete',
      path: () => `/autoheal/maintenance/${enc(EA)}`,
      roles: ['operator', 'admin'],
      before: () => maintenance.set(EA, new Date(NOW.getTime() + 60_000), null, 'platform', NOW),
      status: 204,
      check: async () => expect((await maintenance.active(NOW)).has(EA)).toBe(false),
    },
    {
      route: 'POST /autoheal/run',
      name: 'a live run is platform-wide: refused',
      method: 'post',
      path: () => '/autoheal/run',
      roles: ['operator', 'admin'],
      status: 403,
      check: (_, __, message) =>
        expect(message).toMatch(/^POST \/autoheal\/run is platform-wide: .*; this token is scoped to tenant "tenant-a", ask a platform/),
    },
    {
      route: 'POST /autoheal/run',
      name: 'a dry run too (it would list every tenant)',
      method: 'post',
      path: () => '/autoheal/run?dry_run=true',
      roles: ['operator', 'admin'],
      status: 403,
    },
    {
      route: 'GET /autoheal/last',
      name: "the last cycle with only its tenants' actions, totals recounted",
      method: 'get',
      path: () => '/autoheal/last',
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) =>
        expect(body).toMatchObject({
          incidents_detected: 1,
          actions_taken: [{ incident: { tenant_id: A } }],
          actions_skipped: [],
          total_replays: 3,
        }),
    },
    {
      route: 'GET /autoheal/history',
      name: "only its tenants' actions",
      method: 'get',
      path: () => '/autoheal/history',
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect((body as Array<{ incident: IncidentSummary }>).map((e) => e.incident.tenant_id)).toEqual([A]),
    },
    {
      route: 'GET /autoheal/controls',
      name: 'reads the controls',
      method: 'get',
      path: () => '/autoheal/controls',
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(body).toMatchObject({ autoheal_enabled: true }),
    },
    {
      route: 'PUT /autoheal/controls',
      name: 'the kill switch is platform-wide: refused, and healing stays on',
      method: 'put',
      path: () => '/autoheal/controls',
      body: { autoheal_enabled: false, reason: 'my tenant only' },
      roles: ['admin'],
      status: 403,
      check: async (_, __, message) => {
        expect(message).toMatch(/^PUT \/autoheal\/controls is platform-wide/);
        const res = await send('get', '/autoheal/controls', t.token('admin')).expect(200);
        expect(res.body).toMatchObject({ autoheal_enabled: true });
      },
    },
    {
      route: 'GET /autoheal/config',
      name: 'reads the config',
      method: 'get',
      path: () => '/autoheal/config',
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(body).toHaveProperty('global_safety'),
    },
  ];
  ROUTES.push(
    {
      route: 'POST /deliveries/:id/replay',
      name: "another tenant's delivery is not found, and is not sent",
      method: 'post',
      path: () => '/deliveries/b-1/replay',
      roles: ['operator', 'admin'],
      status: 404,
      check: async (_, __, message) => {
        expect(message).toBe('Delivery b-1 not found');
        expect(await deliveries.findById('b-1')).toMatchObject({ status: 'failed', attempts: 1 });
      },
    },
    {
      route: 'POST /autoheal/recoveries',
      name: 'plans a recovery of its own tenant',
      method: 'post',
      path: () => '/autoheal/recoveries',
      body: { tenant_id: A, since: minutesAgo(30).toISOString(), dry_run: true },
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(body).toHaveProperty('total'),
    },
    {
      route: 'POST /autoheal/recoveries',
      name: "another tenant's recovery is refused",
      method: 'post',
      path: () => '/autoheal/recoveries',
      body: { tenant_id: B, since: minutesAgo(30).toISOString() },
      roles: ['operator', 'admin'],
      status: 403,
      check: (_, __, message) => expect(message).toBe(`tenant_id: tenant "${B}" is outside this token's scope (tenant "${A}")`),
    },
    {
      route: 'GET /autoheal/recoveries',
      name: "only its tenants' recoveries",
      method: 'get',
      path: () => '/autoheal/recoveries',
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(tenantsOf((body as { recoveries: unknown[] }).recoveries)).toEqual([A]),
    },
    {
      route: 'GET /autoheal/recoveries/:id',
      name: "another tenant's recovery is not found",
      method: 'get',
      path: (s) => `/autoheal/recoveries/${s.recovery[B]}`,
      roles: ['operator', 'admin'],
      status: 404,
    },
    {
      route: 'DELETE /autoheal/recoveries/:id',
      name: "another tenant's recovery is not found, and keeps running",
      method: 'delete',
      path: (s) => `/autoheal/recoveries/${s.recovery[B]}`,
      roles: ['operator', 'admin'],
      status: 404,
      check: async (_, s) => expect((await t.app.get(RecoveryStore).get(s.recovery[B]))?.state).not.toBe('cancelled'),
    },
  );
  ROUTES.push(
    {
      route: 'GET /autoheal/endpoints/signing',
      name: "lists only its tenants' signing settings",
      method: 'get',
      path: () => '/autoheal/endpoints/signing',
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(tenantsOf((body as { settings: unknown[] }).settings)).toEqual([A]),
    },
    {
      route: 'PUT /autoheal/endpoints/signing',
      name: "refuses another tenant's settings, which stay as they were",
      method: 'put',
      path: () => '/autoheal/endpoints/signing',
      body: { tenant_id: B, endpoint: `${EB}/new`, scheme: 'hmac-sha256', secret: 'forged' },
      roles: ['admin'],
      status: 403,
      check: async (_, __, message) => {
        expect(message).toBe(`tenant_id: tenant "${B}" is outside this token's scope (tenant "${A}")`);
        expect(await signed(B, `${EB}/new`)).toBe(false);
      },
    },
    {
      route: 'PUT /autoheal/endpoints/signing',
      name: "sets its own tenant's settings",
      method: 'put',
      path: () => '/autoheal/endpoints/signing',
      body: { tenant_id: A, endpoint: EA, scheme: 'stripe-style', secret: 'whsec_a' },
      roles: ['admin'],
      status: 200,
      check: (body) => expect(body).toMatchObject({ tenant_id: A, endpoint: EA, scheme: 'stripe-style' }),
    },
    {
      route: 'DELETE /autoheal/endpoints/signing',
      name: "refuses to delete another tenant's settings, which stay",
      method: 'delete',
      path: () => `/autoheal/endpoints/signing?tenant_id=${B}&endpoint=${enc(EB)}`,
      roles: ['admin'],
      status: 403,
      check: async () => expect(await signed(B, EB)).toBe(true),
    },
    {
      route: 'DELETE /autoheal/endpoints/signing',
      name: 'deletes its own',
      method: 'delete',
      path: () => `/autoheal/endpoints/signing?tenant_id=${A}&endpoint=${enc(EA)}`,
      roles: ['admin'],
      before: () => putSigning(t.token('admin'), A, EA),
      status: 204,
      check: async () => expect(await signed(A, EA)).toBe(false),
    },
    {
      route: 'POST /autoheal/endpoints/signing/reencrypt',
      name: 're-encryption is platform-wide: refused',
      method: 'post',
      path: () => '/autoheal/endpoints/signing/reencrypt',
      roles: ['admin'],
      status: 403,
      check: (_, __, message) => expect(message).toMatch(/^POST \/autoheal\/endpoints\/signing\/reencrypt is platform-wide/),
    },
    {
      route: 'GET /autoheal/me',
      name: 'says who the token is, with its tenants, and that it may not use the kill switch',
      method: 'get',
      path: () => '/autoheal/me',
      roles: ['viewer', 'ingest', 'operator', 'admin'],
      status: 200,
      check: (body) => expect(body).toMatchObject({ tenants: [A], may: { controls: false } }),
    },
    {
      route: 'GET /autoheal/insights/activity',
      name: "only its tenants' endpoints",
      method: 'get',
      path: () => '/autoheal/insights/activity?minutes=60',
      roles: ['viewer', 'operator', 'admin'],
      status: 200,
      check: (body) => {
        const endpoints = (body as { endpoints: Array<{ tenant_id: string; endpoint: string; failures: number }> }).endpoints;
        expect(tenantsOf(endpoints)).toEqual([A]);
        expect(endpoints.find((e) => e.endpoint === EA)?.failures).toBeGreaterThan(0);
      },
    },
    {
      route: 'GET /autoheal/throttles',
      name: "only its tenants' throttles",
      method: 'get',
      path: () => '/autoheal/throttles',
      roles: ['ingest', 'operator', 'admin'],
      status: 200,
      check: (body) => expect(tenantsOf((body as { throttles: unknown[] }).throttles)).toEqual([A]),
    },
    {
      route: 'GET /autoheal/throttles/:tenant_id',
      name: 'its own tenant',
      method: 'get',
      path: () => `/autoheal/throttles/${A}`,
      roles: ['ingest', 'operator', 'admin'],
      status: 200,
      check: (body) => expect(body).toMatchObject({ tenant_id: A, factor: 0.5 }),
    },
    {
      route: 'GET /autoheal/throttles/:tenant_id',
      name: 'another tenant is not found',
      method: 'get',
      path: () => `/autoheal/throttles/${B}`,
      roles: ['ingest', 'operator', 'admin'],
      status: 404,
    },
    {
      route: 'DELETE /autoheal/throttles/:tenant_id',
      name: "another tenant's throttle is not found, and stays",
      method: 'delete',
      path: () => `/autoheal/throttles/${B}`,
      roles: ['operator', 'admin'],
      status: 404,
      check: async () => expect(await t.app.get(TenantThrottles).get(B, NOW)).toMatchObject({ factor: 0.5 }),
    },
  );
  ROUTES.push(
    {
      route: 'GET /autoheal/silences',
      name: "only its tenants' silences",
      method: 'get',
      path: () => '/autoheal/silences',
      roles: ['operator', 'admin'],
      status: 200,
      check: (body) => expect(tenantsOf((body as { silences: unknown[] }).silences)).toEqual([A]),
    },
    {
      route: 'DELETE /autoheal/silences/:id',
      name: "another tenant's silence is not found, and stays active",
      method: 'delete',
      path: (s) => `/autoheal/silences/${s.silence[B]}`,
      roles: ['operator', 'admin'],
      status: 404,
      check: async (_, s) => expect(await t.app.get(SilenceStore).get(s.silence[B])).toMatchObject({ expired_at: null }),
    },
  );
  // The dashboard's page and assets hold no data (the page reads the API with the user's token).
  const PUBLIC_ROUTES = ['GET /health', 'GET /metrics', 'GET /dashboard', 'GET /dashboard/dashboard.js', 'GET /dashboard/dashboard.css'];
  /** Swagger UI and the OpenAPI document (src/openapi): public, no tenant data; their asset routes are swagger's own. */
  const DOCS_ROUTE = /^GET \/docs(\/|-json$|$)/;

  it('covers every route of the service', () => {
    type Layer = { route?: { path: string; methods: Record<string, boolean> } };
    const { router } = t.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
    const routes = router.stack
      .filter((layer) => layer.route)
      .flatMap(({ route }) => Object.keys(route!.methods).map((method) => `${method.toUpperCase()} ${route!.path}`))
      .filter((route) => !DOCS_ROUTE.test(route));
    expect(new Set(routes)).toEqual(new Set([...ROUTES.map((r) => r.route), ...PUBLIC_ROUTES]));
  });

  // In order: writes of one case can be what a later case of the same route reads.
  for (const c of ROUTES) {
    describe(`${c.route}: ${c.name}`, () => {
      it.each(c.roles)(`scoped %s → ${c.status}`, async (role) => {
        await c.before?.();
        const res = await send(c.method, c.path(seeded), scoped(role), c.body);
        expect({ status: res.status, body: res.status >= 400 ? res.body : undefined }).toMatchObject({ status: c.status });
        await c.check?.(res.body, seeded, res.body?.message);
      });
    });
  }

  it('public routes need no token at all', async () => {
    await http().get('/health').expect(200);
    await http().get('/metrics').expect(200);
    await http().get('/docs').expect(200);
    await http().get('/docs-json').expect(200);
    await http().get('/dashboard').expect(200);
  });

  describe('the cross-tenant re-post attack', () => {
    it("a scoped ingest token cannot re-post another tenant's failed delivery as delivered with a new payload", async () => {
      const before = await deliveries.findById('b-1');
      const attack = [
        {
          id: 'b-1',
          tenant_id: B,
          target: EB,
          status: 'delivered',
          http_status: 200,
          payload: { order: 'forged' },
          headers: { 'x-sig': 'forged' },
        },
      ];
      const res = await send('post', '/deliveries', scoped('ingest'), attack).expect(403);
      expect(res.body.message).toBe(`[0].tenant_id: tenant "${B}" is outside this token's scope (tenant "${A}")`);
      expect(await deliveries.findById('b-1')).toEqual(before);
      expect(before).toMatchObject({ status: 'failed', payload: { order: 'b' }, headers: { 'x-sig': 'b' } });
    });

    it('nor by claiming its own tenant for the id (a delivery never changes tenant: 409)', async () => {
      const before = await deliveries.findById('b-1');
      const attack = [{ id: 'b-1', tenant_id: A, target: EB, status: 'delivered', http_status: 200, payload: { order: 'forged' } }];
      const res = await send('post', '/deliveries', scoped('ingest'), attack).expect(409);
      expect(res.body.message).toMatch(/\[0\]\.tenant_id: delivery "b-1" is already recorded for another tenant/);
      expect(await deliveries.findById('b-1')).toEqual(before);
    });

    it('a late (stale) report from the rightful tenant changes neither the outcome nor what a replay sends', async () => {
      const before = await deliveries.findById('b-1');
      const stale = [
        { id: 'b-1', tenant_id: B, target: EB, status: 'delivered', payload: { order: 'old' }, attempted_at: minutesAgo(10).toISOString() },
      ];
      await send('post', '/deliveries', scoped('ingest', [B]), stale).expect(200);
      expect(await deliveries.findById('b-1')).toMatchObject({
        status: 'failed',
        payload: { order: 'b' },
        headers: { 'x-sig': 'b' },
        attempts: before!.attempts + 1,
      });
    });
  });

  describe('the audit trail of per-endpoint settings', () => {
    interface Row {
      tenant_id: string | null;
      meta: { body: { endpoint: string; reason: string } };
    }
    const maintenanceRows = async (tenant: string) =>
      (await send('get', '/operator/audit?action=autoheal_maintenance_set&limit=1000', scoped('operator', [tenant])).expect(200))
        .body as Row[];

    it("a scoped operator sees the maintenance window it set, and not another tenant's", async () => {
      await send('put', '/autoheal/maintenance', scoped('operator'), { endpoint: EA, minutes: 30, reason: 'audit: A' }).expect(200);
      await send('put', '/autoheal/maintenance', scoped('operator', [B]), { endpoint: EB, minutes: 30, reason: 'audit: B' }).expect(200);
      const seenByA = await maintenanceRows(A);
      expect(seenByA.filter((row) => row.meta.body.reason.startsWith('audit:'))).toEqual([
        expect.objectContaining({
          tenant_id: A,
          meta: expect.objectContaining({ body: { endpoint: EA, minutes: 30, reason: 'audit: A' } }),
        }),
      ]);
      expect(tenantsOf(seenByA)).toEqual([A]);
      expect((await maintenanceRows(B)).map((row) => row.meta.body.reason)).toEqual(['audit: B']);
    });
  });

  describe('unscoped tokens stay platform-wide', () => {
    it('see every tenant', async () => {
      expect(tenantsOf((await send('get', '/deliveries?limit=1000', t.token('viewer')).expect(200)).body)).toEqual([A, B]);
      expect(tenantsOf((await send('get', '/autoheal/escalations', t.token('operator')).expect(200)).body)).toEqual([A, B]);
      await send('get', '/deliveries/b-1', t.token('viewer')).expect(200);
      await send('delete', `/autoheal/cooldown/${enc(EB)}`, t.token('operator')).expect(204);
    });

    it('a token scoped to both tenants sees both', async () => {
      expect(tenantsOf((await send('get', '/deliveries?limit=1000', scoped('viewer', [A, B])).expect(200)).body)).toEqual([A, B]);
    });
  });

  describe('the tenants claim', () => {
    const withClaim = (tenants: unknown) =>
      sign({ roles: ['viewer'], tenants }, t.config.jwt.secret, {
        subject: 'mallory',
        expiresIn: '5m',
        ...(t.config.jwt.issuer ? { issuer: t.config.jwt.issuer } : {}),
        ...(t.config.jwt.audience ? { audience: t.config.jwt.audience } : {}),
      });

    it.each<[string, unknown, RegExp]>([
      ['an empty array', [], /the tenants claim is an empty array/],
      ['a string', A, /the tenants claim must be an array of tenant ids/],
      ['null', null, /the tenants claim must be an array of tenant ids/],
      ['an object', { [A]: true }, /the tenants claim must be an array of tenant ids/],
      ['a number in the array', [A, 7], /tenants\[1\]: must be a tenant id of 1 to 200 characters without NUL/],
      ['an empty tenant id', [''], /tenants\[0\]: must be a tenant id/],
      ['a tenant id with NUL', ['tenant-a\u0000'], /tenants\[0\]: must be a tenant id/],
    ])('refuses %s with 401', async (_, tenants, message) => {
      const res = await send('get', '/deliveries', withClaim(tenants)).expect(401);
      expect(res.body.message).toMatch(/^Authentication required: /);
      expect(res.body.message).toMatch(message);
    });

    it('accepts a well-formed claim', async () => {
      expect(tenantsOf((await send('get', '/deliveries?limit=1000', withClaim([B])).expect(200)).body)).toEqual([B]);
    });
  });
});
