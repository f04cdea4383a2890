import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { mintToken } from '../../src/auth/token';
import { AppConfig } from '../../src/config/app-config';
import { SEND_AUDIT_ACTION } from '../../src/replay/replay-ledger.port';
import { HttpReceiver } from '../utils/http-receiver';
import { TEST_REDIS_URL } from '../utils/pg-admin';
import { eventually } from '../utils/eventually';
import { deleteKeys } from '../utils/redis-keys';
import { ServiceProcess, startService } from '../utils/service-process';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const KILLS = 5;
const LEASE_SECONDS = 1;
const RECOVERY_DEADLINE_MS = 30_000;

jest.setTimeout(180_000);

/**
 * A live cycle's process is SIGKILLed mid-send, five times in a row, on the shared Redis: the
 * cycle lock and the concurrency slots it held expire within one (compressed) lease, so the next
 * cycle runs at once; each killed cycle stays in the history as `interrupted`, and each send it
 * made has its audit intent row.
 */
describe('repeated crashes mid-cycle', () => {
  const prefix = `test-crash-${randomBytes(4).toString('hex')}:`;
  const token = mintToken(AppConfig.fromEnv({ NODE_ENV: 'test' }), { subject: 'e2e', roles: ['admin'], ttl: '10m' });
  let db: TestDatabase;
  let dir: string;
  let receiver: HttpReceiver;
  let redis: Redis;
  let service: ServiceProcess | undefined;

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${service!.baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
  const boot = () =>
    startService({
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      AUTOHEAL_INTERVAL_SECONDS: '0',
      AUTOHEAL_CONFIG_FILE: join(dir, 'rules.json'),
      REPLAY_TIMEOUT_MS: '3000',
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = await new HttpReceiver().start();
    redis = new Redis(TEST_REDIS_URL);
    dir = await mkdtemp(join(tmpdir(), 'autoheal-crash-'));
    await writeFile(
      join(dir, 'rules.json'),
      JSON.stringify({ cycle: { lock_ttl_seconds: LEASE_SECONDS, slot_ttl_seconds: LEASE_SECONDS, abandon_pending_after_seconds: 6 } }),
    );
  });
  afterAll(async () => {
    await service?.stop('SIGKILL');
    await receiver?.stop();
    await deleteKeys(redis, prefix);
    await redis?.quit();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts live runs until one is on the wire (the receiver got a request); returns the refusals met before. */
  async function startCycleAndCatchItSending(): Promise<number[]> {
    const refusals: number[] = [];
    await eventually(
      async () => {
        const before = receiver.received.length;
        let status: number | null | undefined;
        void call('/autoheal/run?dry_run=false', { method: 'POST' }).then(
          (res) => (status = res.status),
          () => (status = null),
        );
        const sending = await eventually(() => {
          if (receiver.received.length > before) return true;
          if (status !== undefined) return false;
          throw new Error('the live run has neither answered nor sent yet');
        });
        if (sending) return;
        refusals.push(status!);
        throw new Error(`the live run was refused with ${status}`);
      },
      RECOVERY_DEADLINE_MS,
      100,
    );
    return refusals;
  }

  /** A live cycle outlives its lease by renewing it: a second live run is refused well after one lease. */
  async function expectHeartbeatKeepsTheLock(): Promise<void> {
    const lockKey = `autoheal:${prefix}cycle:lock`;
    const holder = await redis.get(lockKey);
    expect(holder).toEqual(expect.any(String));
    let renewals = 0;
    let lastTtl = Number.POSITIVE_INFINITY;
    await eventually(
      async () => {
        const [value, ttl] = await Promise.all([redis.get(lockKey), redis.pttl(lockKey)]);
        if (value !== holder) throw new Error(`the cycle lock changed hands or expired while its holder ran (now ${value})`);
        if (ttl > lastTtl) renewals += 1;
        lastTtl = ttl;
        if (renewals < 6) throw new Error(`the lock was renewed ${renewals} time(s) so far`);
      },
      10_000,
      20,
    );
    expect((await call('/autoheal/run?dry_run=false', { method: 'POST' })).status).toBe(409);
  }

  it('frees the lock and the slots within one lease of each kill, and records each killed cycle as interrupted', async () => {
    service = await boot();
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    const deliveries = Array.from({ length: KILLS + 1 }, (_, e) => {
      const target = receiver.url(`/hook-${e}`);
      return [
        ...Array.from({ length: 20 }, (_, i) => ({
          id: `ok_${e}_${i}`,
          tenant_id: 't1',
          target,
          status: 'delivered',
          http_status: 200,
          created_at: at(40),
        })),
        ...Array.from({ length: 6 }, (_, i) => ({
          id: `dlv_${e}_${i}`,
          tenant_id: 't1',
          target,
          status: 'failed',
          http_status: 503,
          created_at: at(1),
        })),
      ];
    }).flat();
    expect((await call('/deliveries', { method: 'POST', body: JSON.stringify(deliveries) })).status).toBe(200);
    receiver.hang = true;

    const refusals: number[] = [];
    for (let kill = 1; kill <= KILLS; kill++) {
      if (kill > 1) service = await boot();
      refusals.push(...(await startCycleAndCatchItSending()));
      if (kill === 1) await expectHeartbeatKeepsTheLock();
      expect(await service!.stop('SIGKILL')).toBe('SIGKILL');
      // What the dead holder left in Redis lives one lease at most, not the length of a cycle.
      expect(await redis.pttl(`autoheal:${prefix}cycle:lock`)).toBeLessThanOrEqual(LEASE_SECONDS * 1000);
      const slots = await redis.zrange(`autoheal:${prefix}cycle:slots`, 0, -1, 'WITHSCORES');
      const redisNowMs = Number((await redis.time())[0]) * 1000;
      for (let i = 1; i < slots.length; i += 2) expect(Number(slots[i]) - redisNowMs).toBeLessThanOrEqual(LEASE_SECONDS * 1000 + 1000);
    }
    // Refused only while the dead holder's lease ran out, and never by anything but 409/429.
    expect(refusals.every((status) => status === 409 || status === 429)).toBe(true);
    expect(receiver.received).toHaveLength(KILLS);
    // Each send the killed processes made is in the audit trail: its intent was written with the claim.
    const killedSends = receiver.received.map((hit) => String(hit.headers['idempotency-key']));
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const audited = await pg
      .query(`SELECT resource_id FROM operator_audit WHERE action = $1 ORDER BY at`, [SEND_AUDIT_ACTION])
      .finally(() => pg.end());
    expect(audited.rows.map((row) => row.resource_id).sort()).toEqual([...killedSends].sort());

    receiver.hang = false;
    const killedAt = Date.now();
    service = await boot();
    const healed = await eventually(
      async () => {
        const res = await call('/autoheal/run?dry_run=false', { method: 'POST' });
        if (res.status === 409 || res.status === 429) throw new Error(`the live run was refused with ${res.status}`);
        return { status: res.status, body: (await res.json()) as { total_replays: number } };
      },
      RECOVERY_DEADLINE_MS,
      200,
    );
    expect(healed.status).toBe(200);
    expect(Date.now() - killedAt).toBeLessThan(RECOVERY_DEADLINE_MS);
    expect(healed.body.total_replays).toBeGreaterThan(0);

    const history = (await (await call('/autoheal/history?limit=20')).json()) as Array<{ result: { status?: string } }>;
    expect(history.filter((line) => line.result.status === 'interrupted')).toHaveLength(KILLS);
    const last = (await (await call('/autoheal/last')).json()) as { status?: string; total_replays: number };
    expect(last).toMatchObject({ total_replays: healed.body.total_replays });
    expect(last.status).toBeUndefined();
  });
});
