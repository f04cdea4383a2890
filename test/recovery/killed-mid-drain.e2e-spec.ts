import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { mintToken } from '../../src/auth/token';
import { AppConfig } from '../../src/config/app-config';
import type { IncidentRecord } from '../../src/incidents/incident';
import { eventually } from '../utils/eventually';
import { HttpReceiver } from '../utils/http-receiver';
import { TEST_REDIS_URL } from '../utils/pg-admin';
import { deleteKeys } from '../utils/redis-keys';
import { ServiceProcess, startService } from '../utils/service-process';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

jest.setTimeout(120_000);

const TENANT = 't-kill-drain';
const BACKLOG = 60;
const DRAIN_CONCURRENCY = 4;
/** The drain's answered sends before the receiver stops answering and the holder is killed. */
const ANSWERED_BEFORE_KILL = 12;
const LOCK_MS = 1500;

/**
 * Two instances of the built service share PostgreSQL and a Redis key prefix, so incident drains
 * run as BullMQ jobs either may take. Mid-drain, while every one of its drain_concurrency sends is
 * waiting at the receiver, the instance holding the job is SIGKILLed. BullMQ's stalled-job check
 * (DRAIN_LOCK_DURATION_MS compressed) hands the job to the other instance, which finishes the drain:
 * every delivery is received exactly once, the four on the wire when it died included.
 */
describe('a worker killed mid-drain', () => {
  const token = mintToken(AppConfig.fromEnv({ NODE_ENV: 'test' }), { subject: 'e2e', roles: ['admin'], ttl: '10m' });
  const prefix = `test:kill-drain:${randomBytes(4).toString('hex')}:`;
  let db: TestDatabase;
  let dir: string;
  let receiver: HttpReceiver;
  let redis: Redis;
  const services: ServiceProcess[] = [];
  const call = (service: ServiceProcess, path: string, init: RequestInit = {}) =>
    fetch(`${service.baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });

  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = await new HttpReceiver().start();
    // Slow enough that the drain is in progress for a while: about 40 ms per answer.
    receiver.delayMs = 40;
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    dir = await mkdtemp(join(tmpdir(), 'autoheal-kill-drain-'));
    await writeFile(
      join(dir, 'rules.json'),
      JSON.stringify({
        strategy_limits: {
          RECOVER_BACKLOG: { probe_interval_seconds: 0.5, drain_concurrency: DRAIN_CONCURRENCY, drain_rate_per_second: 50 },
        },
        storm: { max_endpoint_share: 1 },
      }),
    );
  });
  afterAll(async () => {
    for (const service of services) await service.stop('SIGKILL');
    await receiver?.stop();
    await db?.drop();
    if (redis) {
      await deleteKeys(redis, prefix).catch(() => 0);
      redis.disconnect();
    }
    await rm(dir, { recursive: true, force: true });
  });

  const boot = async () => {
    const service = await startService({
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      AUTOHEAL_INTERVAL_SECONDS: '2',
      AUTOHEAL_CONFIG_FILE: join(dir, 'rules.json'),
      DRAIN_LOCK_DURATION_MS: String(LOCK_MS),
      // The sends on the wire when the holder dies must still be waiting, not timed out.
      REPLAY_TIMEOUT_MS: '30000',
    });
    services.push(service);
    return service;
  };
  const drainingIn = (service: ServiceProcess) => /Draining incident /.test(service.output());

  it('finishes the job on the other instance, and no delivery is sent twice', async () => {
    const [a, b] = await Promise.all([boot(), boot()]);
    const target = receiver.url('/hook');
    const ids = Array.from({ length: BACKLOG }, (_, i) => `kd_${String(i + 1).padStart(3, '0')}`);
    const createdAt = new Date(Date.now() - 60_000).toISOString();
    const failed = ids.map((id, i) => ({
      id,
      tenant_id: TENANT,
      target,
      status: 'failed',
      http_status: 503,
      payload: { n: i },
      created_at: createdAt,
    }));
    // The outage signal opens the incident at ingest; a probe delivers the oldest, then the drain job starts.
    expect((await call(a, '/deliveries', { method: 'POST', body: JSON.stringify(failed) })).status).toBe(200);

    await eventually(
      () => expect(receiver.received.filter((r) => r.status !== null).length).toBeGreaterThanOrEqual(ANSWERED_BEFORE_KILL),
      30_000,
    );
    receiver.hang = true;
    // The drain is stuck at the receiver (all its send slots, or what is left of its batch, wait for an answer) and
    // every claim in the ledger has reached the receiver: nothing is claimed and not yet sent.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    let seen = -1;
    try {
      await eventually(
        async () => {
          const unanswered = receiver.received.filter((r) => r.status === null).length;
          const stable = unanswered === seen;
          seen = unanswered;
          const pending = await pg.query(`SELECT delivery_id FROM delivery_attempts WHERE source = 'autoheal' AND outcome = 'pending'`);
          const arrived = new Set(receiver.received.map((r) => r.headers['idempotency-key']));
          expect(unanswered).toBeGreaterThanOrEqual(1);
          expect(pending.rows.filter((row: { delivery_id: string }) => !arrived.has(row.delivery_id))).toEqual([]);
          expect(stable).toBe(true);
          // A free send slot would start the next send within 1/drain_rate_per_second: 300 ms unchanged means stuck.
        },
        15_000,
        300,
      );
    } finally {
      await pg.end();
    }
    const holders = [a, b].filter(drainingIn);
    expect(holders).toHaveLength(1);
    const [holder] = holders;
    const survivor = holder === a ? b : a;
    const onTheWire = receiver.received.filter((r) => r.status === null).map((r) => r.headers['idempotency-key']);
    const receivedBeforeKill = receiver.received.length;
    expect(await holder.stop('SIGKILL')).toBe('SIGKILL');
    receiver.hang = false;

    const recovered = await eventually(async () => {
      const res = await call(survivor, `/autoheal/incidents?tenant_id=${TENANT}`);
      const { incidents } = (await res.json()) as { incidents: IncidentRecord[] };
      expect(incidents.map((i) => i.state)).toEqual(['recovered']);
      return incidents[0];
    }, 60_000);

    // The survivor took the stalled job over (not a new job: the dead worker's was still active under its id).
    expect(survivor.output()).toMatch(new RegExp(`drain job incident-${recovered.id} stalled`));
    expect(drainingIn(survivor)).toBe(true);
    expect(receiver.received.length).toBeGreaterThan(receivedBeforeKill);
    // Exactly once each, the sends on the wire when the holder died included.
    const sends = receiver.received.map((r) => r.headers['idempotency-key'] as string);
    expect([...sends].sort()).toEqual([...ids].sort());
    expect(onTheWire.every((id) => sends.filter((s) => s === id).length === 1)).toBe(true);
    expect(receiver.maxInFlight).toBeLessThanOrEqual(DRAIN_CONCURRENCY);
  });
});
