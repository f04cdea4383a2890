import { mintToken } from '../../src/auth/token';
import { AppConfig } from '../../src/config/app-config';
import { freePort, startPrivateRedis, PrivateRedis } from '../utils/private-redis';
import { ServiceProcess, startService } from '../utils/service-process';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

interface LogRecord {
  level: string;
  time: string;
  context?: string;
  message: string;
  [field: string]: unknown;
}

/**
 * The built service with LOG_FORMAT=json and every kind of credential configured: a signing secret,
 * passwords in DATABASE_URL and REDIS_URL, a Slack-style webhook URL. Its whole output must be
 * JSON lines, one access line per request, and not one of those strings nor any token sent to it.
 */
describe('logs of the running service', () => {
  const jwtSecret = 'jwt-secret-that-must-never-be-logged-0123456789';
  const pgPassword = 'pg-password-never-logged';
  const redisPassword = 'redis-password-never-logged';
  const hookSecret = 'hook-secret-never-logged';
  const signingKey = Buffer.from('signing-key-never-logged-32bytes').toString('base64');
  let db: TestDatabase;
  let redis: PrivateRedis;
  let service: ServiceProcess;
  let records: LogRecord[] = [];
  let rawOutput = '';
  const config = AppConfig.fromEnv({ NODE_ENV: 'test', JWT_SECRET: jwtSecret });
  const admin = mintToken(config, { subject: 'alice', roles: ['admin'], ttl: '10m' });
  const ingest = mintToken(config, { subject: 'dispatcher-7', roles: ['ingest'], ttl: '10m' });
  const otherConfig = AppConfig.fromEnv({ NODE_ENV: 'test', JWT_SECRET: 'another-secret-0123456789' });
  const forged = mintToken(otherConfig, { subject: 'mallory', roles: ['admin'], ttl: '10m' });
  const sent: Array<{ requestId: string; method: string; route: string; status: number; subject: string | null }> = [];

  const call = async (requestId: string, method: string, path: string, token: string | null, body?: unknown) => {
    const headers: Record<string, string> = { 'x-request-id': requestId };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${service.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await startPrivateRedis(redisPassword);
    const dbUrl = new URL(db.url);
    dbUrl.password = pgPassword; // the machine's PostgreSQL trusts local users, so any password connects
    const closedPort = await freePort();
    service = await startService({
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'log',
      JWT_SECRET: jwtSecret,
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: `redis://:${redisPassword}@127.0.0.1:${redis.port}`,
      REDIS_KEY_PREFIX: `logs-${process.pid}:`,
      NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${closedPort}/services/T000/B000/${hookSecret}`,
      SIGNING_KEYS: `k1:${signingKey}`,
      AUTOHEAL_INTERVAL_SECONDS: '0',
    });

    type Sent = { id: string; method: string; path: string; route: string; token: string | null; subject: string | null };
    const send = async ({ id, method, path, route, token, subject }: Sent, body?: unknown) => {
      const res = await call(id, method, path, token, body);
      sent.push({ requestId: id, method, route, status: res.status, subject });
      return res;
    };
    await send({ id: 'req-health', method: 'GET', path: '/health', route: '/health', token: null, subject: null });
    const failures = Array.from({ length: 8 }, (_, i) => ({
      id: `dlv_logs_${i}`,
      tenant_id: 'tenant-logs',
      target: 'https://receiver.example.com/gone',
      status: 'failed',
      http_status: 410,
      error: 'Gone',
    }));
    await send(
      {
        id: 'req-ingest',
        method: 'POST',
        path: '/deliveries',
        route: '/deliveries',
        token: ingest,
        subject: 'dispatcher-7',
      },
      failures,
    );
    await send({ id: 'req-run', method: 'POST', path: '/autoheal/run', route: '/autoheal/run', token: admin, subject: 'alice' });
    await send({
      id: 'req-delivery',
      method: 'GET',
      path: '/deliveries/dlv_logs_0',
      route: '/deliveries/:id',
      token: admin,
      subject: 'alice',
    });
    await send({ id: 'req-forged', method: 'GET', path: '/autoheal/controls', route: '/autoheal/controls', token: forged, subject: null });
    await send({
      id: 'req-missing',
      method: 'GET',
      path: `/no/such/route?token=${admin}`,
      route: '(unmatched)',
      token: admin,
      subject: null,
    });
    await send({ id: 'req-metrics', method: 'GET', path: '/metrics', route: '/metrics', token: null, subject: null });

    expect([0, 'SIGTERM']).toContain(await service.stop('SIGTERM'));
    rawOutput = service.output();
    records = rawOutput
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as LogRecord;
        } catch {
          throw new Error(`not a JSON log line: ${line}`);
        }
      });
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    await redis?.stop();
    await db?.drop();
  });

  it('writes only JSON lines, each with level, ISO time and context', () => {
    expect(records.length).toBeGreaterThan(5);
    for (const record of records) {
      expect(record).toEqual(expect.objectContaining({ level: expect.any(String), time: expect.any(String), context: expect.any(String) }));
      expect(new Date(record.time).toISOString()).toBe(record.time);
    }
  });

  it('answers every request as expected (so the access lines below describe real traffic)', () => {
    expect(sent.map((r) => [r.requestId, r.status])).toEqual([
      ['req-health', 200],
      ['req-ingest', 200],
      ['req-run', 200],
      ['req-delivery', 200],
      ['req-forged', 401],
      ['req-missing', 404],
      ['req-metrics', 200],
    ]);
  });

  it('logs one access line per request with method, route pattern, status, duration, request id and subject', () => {
    const access = records.filter((r) => r.context === 'Access');
    expect(access).toHaveLength(sent.length);
    for (const request of sent) {
      const lines = access.filter((r) => r.request_id === request.requestId);
      expect(lines).toEqual([
        expect.objectContaining({
          method: request.method,
          route: request.route,
          status: request.status,
          duration_ms: expect.any(Number),
          request_id: request.requestId,
          subject: request.subject,
        }),
      ]);
    }
  });

  it('never prints a secret or a token', () => {
    for (const secret of [jwtSecret, pgPassword, redisPassword, hookSecret, signingKey, admin, ingest, forged]) {
      expect(rawOutput).not.toContain(secret);
    }
    // The leaks above were possible: the run did try the webhook and failed, and said so.
    const notificationFailed = expect.stringMatching(/^Notification for escalation .* failed/);
    expect(records).toContainEqual(expect.objectContaining({ level: 'error', message: notificationFailed }));
  });

  it('tags what a cycle logs with the cycle id and the request that started it', () => {
    const notification = records.find((r) => /^Notification for escalation/.test(r.message));
    expect(notification).toMatchObject({ request_id: 'req-run', cycle_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('boots in a handful of lines: version, database, coordination, address; no route table', () => {
    const boot = records.slice(0, records.findIndex((r) => /listening on http/.test(r.message)) + 1);
    expect(boot.length).toBeLessThanOrEqual(12);
    expect(boot.map((r) => r.context)).not.toEqual(expect.arrayContaining(['RoutesResolver', 'RouterExplorer', 'InstanceLoader']));
    const messages = boot.map((r) => r.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AetherLink Auto-Heal \d+\.\d+\.\d+ /),
        `Database: postgres at 127.0.0.1:5432/${db.name}`,
        `Coordination: redis at 127.0.0.1:${redis.port}`,
        expect.stringMatching(/listening on http:\/\/127\.0\.0\.1:\d+$/),
      ]),
    );
  });

  it('logs the signal and the end of the drain', () => {
    const shutdown = records.filter((r) => r.context === 'Shutdown').map((r) => r.message);
    expect(shutdown).toEqual([expect.stringMatching(/^SIGTERM received: draining/), expect.stringMatching(/^Drained in \d+ms/)]);
  });
});
