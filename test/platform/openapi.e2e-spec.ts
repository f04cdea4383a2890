import { randomBytes } from 'node:crypto';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Incident } from '../../src/anomalies/incident';
import { ROLES_EXTENSION } from '../../src/auth/auth.decorators';
import type { Role } from '../../src/auth/roles';
import { Clock, ManualClock } from '../../src/clock/clock';
import { EscalationService } from '../../src/escalation/escalation.service';
import { SilenceStore } from '../../src/escalation/silence-store.port';
import { IncidentStore } from '../../src/incidents/incident-store.port';
import { TenantThrottles } from '../../src/throttles/tenant-throttles.service';
import { openDataSource, seedDeliveries } from '../anomalies/seed-deliveries';
import { nestRoutes, NestRoute } from '../utils/nest-routes';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const TENANT = 'tenant-docs';
const ENDPOINT = 'https://docs.example.com/hook';
const minutesAgo = (n: number) => new Date(NOW.getTime() - n * 60_000);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
type Method = (typeof METHODS)[number];

interface OpenApiDocument {
  paths: Record<string, Partial<Record<Method, Operation>>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}
interface Operation {
  operationId: string;
  description?: string;
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  [extension: `x-${string}`]: unknown;
}

/**
 * The document is read more strictly than it is written: every object schema that lists its properties and
 * does not say otherwise is closed, so an undocumented field in a real answer fails the test as a missing one does.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, closed(value)]));
  if ('properties' in copy && !('additionalProperties' in copy)) copy.additionalProperties = false;
  // OpenAPI 3.0 (draft 4) writes an exclusive bound as a flag beside the bound; JSON Schema 7, which ajv reads, as the bound.
  if (copy.nullable === true) {
    // OpenAPI 3.0's `nullable` is JSON Schema's null type; for a reference or a composition, null besides it.
    delete copy.nullable;
    if ('$ref' in copy || 'allOf' in copy || 'oneOf' in copy || 'anyOf' in copy) return { anyOf: [{ type: 'null' }, copy] };
    if (typeof copy.type === 'string') copy.type = [copy.type, 'null'];
    if (Array.isArray(copy.enum)) copy.enum = [...copy.enum, null];
  }
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof copy[flag] !== 'boolean') continue;
    if (copy[flag]) copy[flag] = copy[bound];
    else delete copy[flag];
    delete copy[bound];
  }
  return copy;
}

describe('OpenAPI: /docs and /docs-json', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let t: TestApp;
  let document: OpenApiDocument;
  let routes: NestRoute[];
  const clock = new ManualClock(NOW);
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    t = await createTestApp({
      env: { DATABASE_URL: db.url, NOTIFY_WEBHOOK_URL: undefined, SIGNING_KEYS: `docs:${randomBytes(32).toString('base64')}` },
      overrides: [[Clock, clock]],
    });
    document = (
      await http()
        .get('/docs-json')
        .expect(200)
        .expect('content-type', /application\/json/)
    ).body;
    routes = nestRoutes(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await dataSource?.destroy();
    await db?.drop();
  });

  describe('the document', () => {
    it('is public, and Swagger UI is served from the swagger-ui-dist package, with no CDN', async () => {
      const page = await http()
        .get('/docs')
        .expect(200)
        .expect('content-type', /text\/html/);
      const assets = [...page.text.matchAll(/(?:src|href)=['"]([^'"]+)['"]/g)].map(([, url]) => url);
      expect(assets).toEqual(expect.arrayContaining(['./docs/swagger-ui-bundle.js', './docs/swagger-ui.css']));
      expect(assets.filter((url) => /^(https?:)?\/\//.test(url))).toEqual([]);
      const bundle = await http().get('/docs/swagger-ui-bundle.js').expect(200);
      expect(bundle.text.length).toBeGreaterThan(100_000);
      const init = await http().get('/docs/swagger-ui-init.js').expect(200);
      expect(init.text).toContain('"validatorUrl": null');
      expect(init.text).toContain('"/autoheal/run"');
    });

    it('finds every controller route through Nest, the same ones Express serves', () => {
      type Layer = { route?: { path: string; methods: Record<string, boolean> } };
      const { router } = t.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
      const served = router.stack
        .filter((layer) => layer.route && !/^\/docs(\/|-json|$)/.test(layer.route.path))
        .flatMap(({ route }) => Object.keys(route!.methods).map((method) => `${method.toUpperCase()} ${route!.path}`));
      expect(new Set(routes.map((r) => r.route))).toEqual(new Set(served));
      expect(routes.length).toBeGreaterThan(30);
    });

    it('documents every controller route, and nothing else', () => {
      const documented = Object.entries(document.paths).flatMap(([path, item]) =>
        METHODS.filter((method) => item[method]).map((method) => `${method} ${path}`),
      );
      expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.openApiPath}`).sort());
    });

    it("states each route's roles (the ones the guard reads) and the bearer scheme, and marks the public ones", () => {
      expect(document.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
      for (const route of routes) {
        const operation = document.paths[route.openApiPath][route.method as Method]!;
        const documented = {
          roles: operation[ROLES_EXTENSION],
          security: operation.security,
          access: operation.description?.split('\n')[0],
        };
        const expected = route.isPublic
          ? { roles: undefined, security: undefined, access: '**Public:** no token needed.' }
          : { roles: route.roles, security: [{ bearer: [] }], access: `**Roles:** ${route.roles?.join(', ')}.` };
        expect({ route: route.route, ...documented }).toEqual({ route: route.route, ...expected });
      }
    });

    it('documents the query parameters as optional (no list query of this API requires one)', () => {
      const history = document.paths['/autoheal/history'].get as unknown as { parameters: Array<{ name: string; required: boolean }> };
      expect(history.parameters).toEqual([expect.objectContaining({ name: 'limit', required: false })]);
      const required = routes.flatMap((route) => {
        const { parameters = [] } = document.paths[route.openApiPath][route.method as Method] as {
          parameters?: Array<Record<string, unknown>>;
        };
        return parameters.filter((p) => p.in === 'query' && p.required).map((p) => `${route.route} ?${p.name}`);
      });
      expect(required).toEqual([]);
    });

    it('gives every operation a success answer and the error shape', () => {
      for (const route of routes) {
        const { responses } = document.paths[route.openApiPath][route.method as Method]!;
        const success = Object.keys(responses).filter((status) => /^2/.test(status));
        expect({ route: route.route, success: success.length > 0 }).toEqual({ route: route.route, success: true });
        for (const [status, response] of Object.entries(responses)) {
          if (!/^[45]/.test(status) || route.route === 'GET /health') continue;
          expect({ route: route.route, status, schema: response.content?.['application/json']?.schema }).toEqual({
            route: route.route,
            status,
            schema: { $ref: '#/components/schemas/ApiErrorBody' },
          });
        }
      }
    });
  });

  describe('what e2e requests receive matches the documented shapes', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validators = new Map<string, ValidateFunction>();
    const checked = new Set<string>();
    let seeded: { incident: string; approval: string; escalation: string; recovery: string; delivery: string };

    function validatorFor(method: Method, path: string, status: number): ValidateFunction {
      const key = `${method} ${path} ${status}`;
      if (!validators.has(key)) {
        if (!ajv.getSchema('doc')) ajv.addSchema(closed({ components: document.components }) as object, 'doc');
        const operation = document.paths[path]?.[method];
        if (!operation) throw new Error(`${method.toUpperCase()} ${path} is not in the document`);
        const schema = operation.responses[String(status)]?.content?.['application/json']?.schema;
        if (!schema) throw new Error(`${method.toUpperCase()} ${path} does not document a JSON ${status}`);
        const rebased = JSON.parse(JSON.stringify(closed(schema)).replaceAll('"#/components/', '"doc#/components/'));
        validators.set(key, ajv.compile(rebased));
      }
      return validators.get(key)!;
    }

    /** Sends the request and checks its JSON answer against the document's schema for its status (one of `statuses`). */
    async function sample(method: Method, path: string, url: string, role: Role | null, statuses: number | number[], body?: object) {
      let req = http()[method](url);
      if (role) req = req.set('Authorization', `Bearer ${t.token(role)}`);
      const res = await (body === undefined ? req : req.send(body));
      const { status } = res;
      const expected = [statuses].flat();
      const wanted = expected.includes(status) ? status : expected.join(' or ');
      expect({ url, status, body: expected.includes(status) ? undefined : res.body }).toEqual({ url, status: wanted, body: undefined });
      checked.add(`${method} ${path}`);
      if (status === 204) return res;
      const validate = validatorFor(method, path, status);
      expect({ url, status, errors: validate(res.body) ? [] : validate.errors }).toEqual({ url, status, errors: [] });
      return res;
    }

    beforeAll(async () => {
      await seedDeliveries(dataSource, NOW, [
        { tenant: TENANT, target: ENDPOINT, minutesAgo: 30, spreadToMinutesAgo: 50, count: 100, status: 'delivered' },
        {
          tenant: TENANT,
          target: ENDPOINT,
          minutesAgo: 1,
          spreadToMinutesAgo: 4,
          count: 40,
          status: 'failed',
          triage: 'transient_endpoint_down',
          error: 'HTTP 503',
        },
      ]);
      const incidents = t.app.get(IncidentStore);
      const opened = {
        kind: 'failure_burst' as const,
        severity: 'critical' as const,
        firstFailureAt: minutesAgo(4),
        lastFailureAt: minutesAgo(1),
      };
      const { incident } = await incidents.openOrUpdate({ tenantId: TENANT, endpoint: ENDPOINT, ...opened, backlogSize: 40 }, NOW);
      const other = (await incidents.openOrUpdate({ tenantId: TENANT, endpoint: `${ENDPOINT}/2`, ...opened, backlogSize: 3 }, NOW))
        .incident;
      const plan = { count: 3, oldest_at: minutesAgo(4).toISOString(), target: `${ENDPOINT}/2` };
      const { approval } = await incidents.requestApproval(other.id, { plan, ttlMinutes: 60, actor: 'autoheal' }, NOW);
      const current = await http().get('/anomalies/current').auth(t.token('operator'), { type: 'bearer' }).expect(200);
      const detected = (current.body.incidents as Incident[]).find((i) => i.tenant_id === TENANT)!;
      const { escalation } = await t.app.get(EscalationService).open({ incident: detected, priority: 'high', reason: 'docs', now: NOW });
      seeded = { incident: incident.id, approval: approval.id, escalation: escalation.id, recovery: '', delivery: 'docs-1' };
    });

    it('POST /deliveries, GET /deliveries and GET /deliveries/{id}', async () => {
      const outcome = {
        id: seeded.delivery,
        tenant_id: TENANT,
        target: ENDPOINT,
        status: 'failed',
        http_status: 503,
        error: 'Service Unavailable',
        event_type: 'order.created',
        payload: { order_id: 42 },
        headers: { 'content-type': 'application/json', authorization: 'Bearer secret' },
        attempted_at: minutesAgo(1).toISOString(),
      };
      await sample('post', '/deliveries', '/deliveries', 'ingest', 200, [outcome]);
      await sample('get', '/deliveries', `/deliveries?tenant_id=${TENANT}&status=failed&limit=5`, 'viewer', 200);
      const detail = await sample('get', '/deliveries/{id}', `/deliveries/${seeded.delivery}`, 'viewer', 200);
      expect(detail.body.attempt_history.length).toBeGreaterThan(0);
      await sample('get', '/deliveries/{id}', '/deliveries/no-such-delivery', 'viewer', 404);
      await sample('post', '/deliveries/{id}/replay', '/deliveries/no-such-delivery/replay', 'operator', 404);
    });

    it("POST /autoheal/run answers the guide's run result, with actions; /last and /history follow", async () => {
      const run = await sample('post', '/autoheal/run', '/autoheal/run?dry_run=true', 'operator', 200);
      expect(run.body.incidents_detected).toBeGreaterThan(0);
      expect(run.body.actions_taken.length + run.body.actions_skipped.length).toBeGreaterThan(0);
      await sample('get', '/autoheal/last', '/autoheal/last', 'operator', 200);
      const history = await sample('get', '/autoheal/history', '/autoheal/history?limit=10', 'operator', 200);
      expect(history.body.length).toBeGreaterThan(0);
      await sample('get', '/anomalies/current', '/anomalies/current', 'operator', 200);
    });

    it('config and controls, the kill switch included', async () => {
      const config = await sample('get', '/autoheal/config', '/autoheal/config', 'operator', 200);
      expect(config.body.strategy_limits.REPLAY_RECENT).toHaveProperty('max_deliveries');
      await sample('get', '/autoheal/controls', '/autoheal/controls', 'operator', 200);
      const off = await sample('put', '/autoheal/controls', '/autoheal/controls', 'admin', 200, {
        autoheal_enabled: false,
        reason: 'docs',
      });
      expect(off.body.override).toMatchObject({ autoheal_enabled: false, updated_by: 'tester' });
      await sample('put', '/autoheal/controls', '/autoheal/controls', 'admin', 200, { autoheal_enabled: null, dry_run: null });
    });

    it('incidents and approvals', async () => {
      await sample('get', '/autoheal/incidents', `/autoheal/incidents?tenant_id=${TENANT}`, 'operator', 200);
      const detail = await sample('get', '/autoheal/incidents/{id}', `/autoheal/incidents/${seeded.incident}`, 'operator', 200);
      expect(detail.body.timeline.length).toBeGreaterThan(0);
      await sample('get', '/autoheal/approvals', '/autoheal/approvals?status=pending', 'operator', 200);
      const approved = await sample(
        'post',
        '/autoheal/approvals/{id}/approve',
        `/autoheal/approvals/${seeded.approval}/approve`,
        'operator',
        200,
        {
          note: 'receiver is back',
        },
      );
      expect(approved.body).toMatchObject({ status: 'approved', incident: { state: 'probing' } });
      await sample('post', '/autoheal/approvals/{id}/reject', `/autoheal/approvals/${seeded.approval}/reject`, 'operator', 409, {});
      await sample('post', '/autoheal/incidents/{id}/resolve', `/autoheal/incidents/${seeded.incident}/resolve`, 'operator', 200, {
        note: 'retired',
      });
    });

    it('escalations', async () => {
      await sample('get', '/autoheal/escalations', '/autoheal/escalations?status=open', 'operator', 200);
      await sample('post', '/autoheal/escalations/{id}/ack', `/autoheal/escalations/${seeded.escalation}/ack`, 'operator', 200);
      await sample('post', '/autoheal/escalations/{id}/resolve', `/autoheal/escalations/${seeded.escalation}/resolve`, 'operator', 200);
    });

    it('maintenance windows and cooldowns', async () => {
      const body = { endpoint: ENDPOINT, minutes: 60, reason: 'vendor deploy' };
      await sample('put', '/autoheal/maintenance', '/autoheal/maintenance', 'operator', 200, body);
      await sample('get', '/autoheal/maintenance', '/autoheal/maintenance', 'operator', 200);
      const encoded = encodeURIComponent(ENDPOINT);
      await sample('delete', '/autoheal/maintenance/{endpoint}', `/autoheal/maintenance/${encoded}`, 'operator', 204);
      await sample('delete', '/autoheal/maintenance/{endpoint}', `/autoheal/maintenance/${encoded}`, 'operator', 404);
      await sample('delete', '/autoheal/cooldown/{endpoint}', `/autoheal/cooldown/${encoded}`, 'operator', 204);
    });

    it('recoveries: the plan, a queued recovery, reading and cancelling it', async () => {
      const window = { tenant_id: TENANT, since: minutesAgo(60 * 24 * 10).toISOString(), until: minutesAgo(60 * 24 * 9).toISOString() };
      const plan = await sample('post', '/autoheal/recoveries', '/autoheal/recoveries', 'operator', 200, { ...window, dry_run: true });
      expect(plan.body).toMatchObject({ dry_run: true, total: 0 });
      const created = await sample('post', '/autoheal/recoveries', '/autoheal/recoveries', 'operator', 202, window);
      seeded.recovery = created.body.id;
      await sample('get', '/autoheal/recoveries', `/autoheal/recoveries?tenant_id=${TENANT}`, 'operator', 200);
      await sample('get', '/autoheal/recoveries/{id}', `/autoheal/recoveries/${seeded.recovery}`, 'operator', 200);
      // A recovery of nothing may have completed already: then cancelling it is a 409.
      await sample('delete', '/autoheal/recoveries/{id}', `/autoheal/recoveries/${seeded.recovery}`, 'operator', [200, 409]);
    });

    it('the audit trail, health and metrics', async () => {
      const audit = await sample('get', '/operator/audit', '/operator/audit?limit=50', 'operator', 200);
      expect(audit.body.length).toBeGreaterThan(0);
      await sample('get', '/health', '/health', null, 200);
      const metrics = await http().get('/metrics').expect(200);
      expect(document.paths['/metrics'].get!.responses['200'].content).toHaveProperty('text/plain');
      expect(metrics.text).toContain('autoheal_cycles_total');
      checked.add('get /metrics');
    });

    it("POST /deliveries answers a batch's tenant throttles; the throttles routes", async () => {
      const other = 'tenant-docs-unthrottled';
      await t.app
        .get(TenantThrottles)
        .apply({ tenantId: TENANT, factor: 0.5, durationMinutes: 30, reason: 'flood', actor: 'autoheal', now: NOW });
      const outcome = {
        id: 'docs-throttled',
        tenant_id: TENANT,
        target: ENDPOINT,
        status: 'delivered',
        attempted_at: minutesAgo(1).toISOString(),
      };
      const posted = await sample('post', '/deliveries', '/deliveries', 'ingest', 200, [outcome]);
      expect(posted.body.throttles).toEqual([expect.objectContaining({ tenant_id: TENANT, factor: 0.5 })]);
      const listed = await sample('get', '/autoheal/throttles', '/autoheal/throttles', 'ingest', 200);
      expect(listed.body.throttles).toHaveLength(1);
      await sample('get', '/autoheal/throttles/{tenant_id}', `/autoheal/throttles/${TENANT}`, 'ingest', 200);
      const unthrottled = await sample('get', '/autoheal/throttles/{tenant_id}', `/autoheal/throttles/${other}`, 'ingest', 200);
      expect(unthrottled.body).toEqual({ tenant_id: other, factor: 1, until: null, reason: null });
      await sample('delete', '/autoheal/throttles/{tenant_id}', `/autoheal/throttles/${TENANT}`, 'operator', 204);
      await sample('delete', '/autoheal/throttles/{tenant_id}', `/autoheal/throttles/${TENANT}`, 'operator', 404);
    });

    it('silences: listed with their state, ended early', async () => {
      const silence = await t.app.get(SilenceStore).create({
        signature: 'docs-signature',
        tenantId: TENANT,
        now: NOW,
        durationMinutes: 60,
        dedupWindowSeconds: 60,
        maxOccurrences: 5,
        createdBy: 'tester',
        comment: 'docs',
        incidentId: null,
      });
      const active = await sample('get', '/autoheal/silences', '/autoheal/silences?status=active', 'operator', 200);
      expect(active.body.silences).toEqual([expect.objectContaining({ id: silence.id, status: 'active' })]);
      await sample('delete', '/autoheal/silences/{id}', `/autoheal/silences/${silence.id}`, 'operator', 204);
      await sample('delete', '/autoheal/silences/{id}', `/autoheal/silences/${silence.id}`, 'operator', 404);
      const expired = await sample('get', '/autoheal/silences', '/autoheal/silences?status=expired&limit=10', 'operator', 200);
      expect(expired.body.silences).toEqual([expect.objectContaining({ id: silence.id, status: 'expired', expired_by: 'tester' })]);
    });

    it('signing settings: put, list, re-encrypt, delete', async () => {
      const endpoint = `${ENDPOINT}/signed`;
      const body = { tenant_id: TENANT, endpoint, scheme: 'hmac-sha256', secret: 'docs-secret', header: 'X-Signature', prefix: '' };
      const put = await sample('put', '/autoheal/endpoints/signing', '/autoheal/endpoints/signing', 'admin', 200, body);
      expect(put.body).not.toHaveProperty('secret');
      const listed = await sample('get', '/autoheal/endpoints/signing', `/autoheal/endpoints/signing?tenant_id=${TENANT}`, 'operator', 200);
      expect(listed.body.settings).toHaveLength(1);
      const moved = await sample('post', '/autoheal/endpoints/signing/reencrypt', '/autoheal/endpoints/signing/reencrypt', 'admin', 200);
      // Already under the only key: nothing to move.
      expect(moved.body).toEqual({ key_id: 'docs', reencrypted: 0, unreadable: [] });
      const query = `/autoheal/endpoints/signing?tenant_id=${TENANT}&endpoint=${encodeURIComponent(endpoint)}`;
      await sample('delete', '/autoheal/endpoints/signing', query, 'admin', 204);
      await sample('delete', '/autoheal/endpoints/signing', query, 'admin', 404);
    });

    it("the dashboard's reads (GET /autoheal/me, GET /autoheal/insights/activity) and its static files", async () => {
      const me = await sample('get', '/autoheal/me', '/autoheal/me', 'viewer', 200);
      expect(me.body).toMatchObject({ roles: ['viewer'], tenants: null, may: { read_autoheal: false, operate: false, controls: false } });
      const activity = await sample(
        'get',
        '/autoheal/insights/activity',
        '/autoheal/insights/activity?minutes=60&bucket_seconds=300',
        'viewer',
        200,
      );
      expect(activity.body.endpoints.length).toBeGreaterThan(0);
      await sample('get', '/autoheal/insights/activity', '/autoheal/insights/activity?minutes=0', 'viewer', 400);
      for (const [path, mediaType] of [
        ['/dashboard', 'text/html'],
        ['/dashboard/dashboard.js', 'text/javascript'],
        ['/dashboard/dashboard.css', 'text/css'],
      ]) {
        const res = await http().get(path).expect(200);
        const content = document.paths[path].get!.responses['200'].content!;
        expect({ path, served: res.headers['content-type'].split(';')[0], documented: Object.keys(content) }).toEqual({
          path,
          served: mediaType,
          documented: [mediaType],
        });
        expect(res.text.length).toBeGreaterThan(100);
        checked.add(`get ${path}`);
      }
    });

    it('the error shape {statusCode, error, message, request_id}: 400, 401, 403, 404', async () => {
      const bad = await sample('get', '/autoheal/history', '/autoheal/history?limit=0', 'operator', 400);
      expect(bad.body).toEqual({
        statusCode: 400,
        error: 'bad_request',
        message: expect.stringMatching(/^limit: /),
        request_id: expect.any(String),
      });
      await sample('get', '/autoheal/incidents', '/autoheal/incidents', null, 401);
      await sample('put', '/autoheal/controls', '/autoheal/controls', 'operator', 403, { dry_run: true });
      await sample('get', '/autoheal/incidents/{id}', '/autoheal/incidents/00000000-0000-4000-8000-000000000000', 'operator', 404);
    });

    it('a closed schema rejects an undocumented field (the check above can fail)', () => {
      const validate = validatorFor('get', '/autoheal/controls', 200);
      expect(validate({ autoheal_enabled: true, dry_run: false, reason: null, override: null })).toBe(true);
      expect(validate({ autoheal_enabled: true, dry_run: false, reason: null, override: null, extra: 1 })).toBe(false);
      expect(validate({ autoheal_enabled: 'yes', dry_run: false, reason: null, override: null })).toBe(false);
    });

    it('sampled every GET route and every POST, PUT and DELETE route', () => {
      const documented = Object.entries(document.paths).flatMap(([path, item]) =>
        METHODS.filter((method) => item[method]).map((method) => `${method} ${path}`),
      );
      expect(documented.filter((operation) => !checked.has(operation))).toEqual([]);
    });
  });
});
