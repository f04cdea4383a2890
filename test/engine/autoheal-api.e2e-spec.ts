import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { eventually } from '../utils/eventually';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { EngineHarness, incidentFor } from './engine-harness';

describe('autoheal API: shapes, parameters and roles', () => {
  const h = new EngineHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('GET /autoheal/last is a 404 until a cycle has run, then the run result', async () => {
    const none = await h.http().get('/autoheal/last').auth(h.operator, { type: 'bearer' }).expect(404);
    expect(none.body.message).toMatch(/none has run yet/);
    h.detector.set([]);
    const run = await h.run(true).expect(200);
    const last = await h.http().get('/autoheal/last').auth(h.operator, { type: 'bearer' }).expect(200);
    expect(last.body).toEqual(run.body);
  });

  it('GET /autoheal/history shows a line for a cycle that found nothing', async () => {
    const res = await h.http().get('/autoheal/history').auth(h.operator, { type: 'bearer' }).expect(200);
    expect(res.body[0]).toEqual({
      timestamp: expect.any(String),
      incident: null,
      strategy: null,
      result: { incidents_detected: 0, dry_run: true, message: 'No incidents' },
    });
  });

  it("GET /autoheal/config answers in the guide's shape", async () => {
    const res = await h.http().get('/autoheal/config').auth(h.operator, { type: 'bearer' }).expect(200);
    expect(res.body.global_safety).toMatchObject({
      autoheal_enabled: true,
      dry_run: false,
      max_heals_per_hour: 100,
      max_concurrent_heals: 5,
      audit_all_actions: true,
    });
    expect(res.body.strategy_limits.REPLAY_RECENT).toEqual({
      max_deliveries: 25,
      time_window_minutes: 10,
      min_confidence: 0.7,
      cooldown_minutes: 5,
      allowed_triage_labels: ['transient_endpoint_down', 'rate_limited'],
    });
    expect(res.body.strategy_priorities).toEqual({
      ESCALATE_OPERATOR: 1,
      RATE_LIMIT_SOURCE: 2,
      REPLAY_RECENT: 3,
      SILENCE_DUPES: 4,
      DEFER_AND_MONITOR: 5,
      RECOVER_BACKLOG: 6,
    });
    expect(res.body.tenant_overrides['tenant-premium']).toEqual({ max_replays: 50, escalation_delay_minutes: 5 });
  });

  it.each([
    ['/autoheal/run?dry_run=maybe', 'post', /dry_run must be true or false/],
    ['/autoheal/history?limit=0', 'get', /limit must be an integer between 1 and 1000/],
    ['/autoheal/history?limit=abc', 'get', /limit must be an integer between 1 and 1000/],
    ['/autoheal/history?limit=1001', 'get', /limit must be an integer between 1 and 1000/],
    ['/autoheal/history?limit=5&extra=1', 'get', /extra/],
    ['/autoheal/cooldown/not-a-url', 'delete', /not an absolute URL/],
    ['/autoheal/cooldown/https://x.example/hook?token=1', 'delete', /contains "\?"; URL-encode the endpoint/],
    ['/autoheal/cooldown/ftp%3A%2F%2Fexample.com%2Fx', 'delete', /must be an http or https URL/],
  ] as const)('%s (%s) is a 400 that says what to fix', async (path, method, message) => {
    const res = await h.http()[method](path).auth(h.operator, { type: 'bearer' }).expect(400);
    expect(res.body.message).toMatch(message);
  });

  it.each([
    ['PUT /autoheal/maintenance without endpoint', { minutes: 5 }, /endpoint/],
    [
      'PUT /autoheal/maintenance with minutes=0',
      { endpoint: 'https://x.example/h', minutes: 0 },
      /minutes must be an integer between 1 and 10080/,
    ],
    [
      'PUT /autoheal/maintenance in the past',
      { endpoint: 'https://x.example/h', until: '2001-01-01T00:00:00Z' },
      /until must be in the future/,
    ],
    ['PUT /autoheal/maintenance with a relative URL', { endpoint: '/hook', minutes: 5 }, /not an absolute URL/],
    [
      'PUT /autoheal/maintenance for a year',
      { endpoint: 'https://x.example/h', until: '2099-01-01T00:00:00Z' },
      /until must be within 7 days/,
    ],
  ])('%s is a 400', async (_, body, message) => {
    const res = await h.http().put('/autoheal/maintenance').auth(h.operator, { type: 'bearer' }).send(body).expect(400);
    expect(res.body.message).toMatch(message);
  });

  it('PUT /autoheal/controls refuses a non-boolean switch', async () => {
    const res = await h.http().put('/autoheal/controls').auth(h.admin, { type: 'bearer' }).send({ autoheal_enabled: 'off' }).expect(400);
    expect(res.body.message).toMatch(/autoheal_enabled/);
  });

  it.each([
    ['post', '/autoheal/run?dry_run=true'],
    ['get', '/autoheal/last'],
    ['get', '/autoheal/history'],
    ['delete', '/autoheal/cooldown/https://api.example.com/webhook'],
    ['get', '/autoheal/config'],
    ['get', '/anomalies/current'],
    ['get', '/operator/audit'],
    ['get', '/autoheal/escalations'],
  ] as const)('%s %s needs a token (401)', async (method, path) => {
    await h.http()[method](path).expect(401);
  });

  it.each([
    ['viewer', 'post', '/autoheal/run?dry_run=true', 403],
    ['ingest', 'post', '/autoheal/run?dry_run=true', 403],
    ['viewer', 'delete', '/autoheal/cooldown/https://api.example.com/webhook', 403],
    ['ingest', 'get', '/autoheal/config', 403],
    ['viewer', 'get', '/autoheal/config', 403],
    ['viewer', 'get', '/autoheal/history', 403],
    ['operator', 'get', '/autoheal/history', 200],
    ['admin', 'post', '/autoheal/run?dry_run=true', 200],
    ['operator', 'delete', '/autoheal/cooldown/https://api.example.com/webhook', 204],
  ] as const)('%s: %s %s → %i', async (role, method, path, status) => {
    h.detector.set([incidentFor('tenant-a', 'https://api.example.com/webhook', { failures: 0, kind: 'traffic_spike' })]);
    await h.http()[method](path).auth(h.t.token(role), { type: 'bearer' }).expect(status);
  });

  it('audits operator changes with the token subject', async () => {
    await h.http().delete('/autoheal/cooldown/https%3A%2F%2Fapi.example.com%2Fencoded').auth(h.operator, { type: 'bearer' }).expect(204);
    await h.http().delete('/autoheal/cooldown/https://api.example.com/raw').auth(h.operator, { type: 'bearer' }).expect(204);
    const audit = await h.http().get('/operator/audit?action=autoheal_cooldown_clear').auth(h.operator, { type: 'bearer' }).expect(200);
    // The harness clock stands still, so entries share a timestamp: look for ours, not for the first.
    const ours = audit.body.filter((e: { operator_id: string }) => e.operator_id === 'oncall-bob');
    expect(ours.map((e: { resource_id: string }) => e.resource_id).sort()).toEqual([
      'https://api.example.com/encoded',
      'https://api.example.com/raw',
    ]);
    expect(ours[0]).toMatchObject({ action: 'autoheal_cooldown_clear', resource_type: 'endpoint' });
  });

  it("serves Prometheus metrics named as the guide's alerts expect", async () => {
    h.detector.set([]);
    await h.run(true).expect(200);
    const res = await h.http().get('/metrics').expect(200);
    expect(res.text).toMatch(/^autoheal_incidents_detected_total\{dry_run="true"\} \d+$/m);
    expect(res.text).toMatch(/^autoheal_cycles_total\{trigger="api",dry_run="true"\} [1-9]\d*$/m);
    expect(res.text).toMatch(/^# TYPE autoheal_actions_skipped_total counter$/m);
    expect(res.text).toMatch(/^autoheal_escalations_total \d+$/m);
  });
});

describe('rules file and schedule', () => {
  let db: TestDatabase;
  let dir: string;
  let t: TestApp | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'autoheal-rules-'));
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('AUTOHEAL_CONFIG_FILE overrides the defaults it names and keeps the rest', async () => {
    const file = join(dir, 'rules.json');
    await writeFile(
      file,
      JSON.stringify({ global_safety: { max_heals_per_hour: 7 }, strategy_limits: { REPLAY_RECENT: { cooldown_minutes: 0.05 } } }),
    );
    t = await createTestApp({ env: { DATABASE_URL: db.url, AUTOHEAL_CONFIG_FILE: file } });
    const res = await request(t.app.getHttpServer()).get('/autoheal/config').auth(t.token('operator'), { type: 'bearer' }).expect(200);
    expect(res.body.global_safety).toMatchObject({ max_heals_per_hour: 7, max_concurrent_heals: 5 });
    expect(res.body.strategy_limits.REPLAY_RECENT).toMatchObject({ cooldown_minutes: 0.05, max_deliveries: 25 });
    await t.close();
    t = undefined;
  });

  it('a bad rules file stops the boot and names the key', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ strategy_limits: { REPLAY_RECENT: { max_deliveries: -3 } } }));
    await expect(createTestApp({ env: { DATABASE_URL: db.url, AUTOHEAL_CONFIG_FILE: file } })).rejects.toThrow(
      /strategy_limits\.REPLAY_RECENT\.max_deliveries: must be an integer >= 1 \(got -3\)/,
    );
  });

  it('refuses to boot when interrupted replays would be declared abandoned while still on the wire', async () => {
    const file = join(dir, 'too-eager.json');
    await writeFile(file, JSON.stringify({ cycle: { abandon_pending_after_seconds: 5 } }));
    await expect(createTestApp({ env: { DATABASE_URL: db.url, AUTOHEAL_CONFIG_FILE: file, REPLAY_TIMEOUT_MS: '10000' } })).rejects.toThrow(
      /cycle\.abandon_pending_after_seconds: must be at least twice REPLAY_TIMEOUT_MS \(10000 ms\), got 5/,
    );
  });

  it('the scheduler runs live cycles through the same engine path', async () => {
    t = await createTestApp({ env: { DATABASE_URL: db.url, AUTOHEAL_INTERVAL_SECONDS: '1' } });
    const ds = t.app.get(DataSource);
    const liveCycles = async () => Number((await ds.query(`SELECT count(*) FROM autoheal_history WHERE dry_run = false`))[0].count);
    const before = await liveCycles();
    await eventually(async () => expect(await liveCycles()).toBeGreaterThan(before), 10_000);
  });
});
