import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { mintToken } from '../../src/auth/token';
import { AppConfig } from '../../src/config/app-config';
import { eventually } from '../utils/eventually';
import { HttpReceiver } from '../utils/http-receiver';
import { ServiceProcess, startService } from '../utils/service-process';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

/**
 * The process is killed (SIGKILL) while a replay is on the wire. After a restart the interrupted
 * send is visible as abandoned and is never sent again; the rest of the burst is healed.
 */
describe('a service killed mid-send', () => {
  let db: TestDatabase;
  let dir: string;
  let receiver: HttpReceiver;
  let service: ServiceProcess | undefined;
  const token = mintToken(AppConfig.fromEnv({ NODE_ENV: 'test' }), { subject: 'e2e', roles: ['admin'], ttl: '10m' });
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${service!.baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });

  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = await new HttpReceiver().start();
    dir = await mkdtemp(join(tmpdir(), 'autoheal-kill-'));
    // A pending send older than 6 s (twice the replay timeout) belongs to a dead process.
    await writeFile(join(dir, 'rules.json'), JSON.stringify({ cycle: { abandon_pending_after_seconds: 6 } }));
  });
  afterAll(async () => {
    await service?.stop('SIGKILL');
    await receiver?.stop();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const boot = () =>
    startService({
      DATABASE_URL: db.url,
      AUTOHEAL_INTERVAL_SECONDS: '0',
      AUTOHEAL_CONFIG_FILE: join(dir, 'rules.json'),
      REPLAY_TIMEOUT_MS: '3000',
    });

  it('never sends the interrupted delivery twice', async () => {
    service = await boot();
    const target = receiver.url('/hook');
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    const history = Array.from({ length: 20 }, (_, i) => ({
      id: `ok_${i}`,
      tenant_id: 't1',
      target,
      status: 'delivered',
      http_status: 200,
      created_at: at(40),
      attempted_at: at(40),
    }));
    const failed = Array.from({ length: 6 }, (_, i) => ({
      id: `dlv_${i}`,
      tenant_id: 't1',
      target,
      status: 'failed',
      http_status: 503,
      payload: { n: i },
      created_at: at(1),
    }));
    expect((await call('/deliveries', { method: 'POST', body: JSON.stringify([...history, ...failed]) })).status).toBe(200);

    receiver.hang = true;
    const run = call('/autoheal/run', { method: 'POST' }).catch(() => null); // dies with the process
    await eventually(() => expect(receiver.received).toHaveLength(1), 10_000);
    const interrupted = receiver.received[0].headers['idempotency-key'] as string;
    expect(await service.stop('SIGKILL')).toBe('SIGKILL');
    await run;

    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const pending = await pg.query(`SELECT delivery_id FROM delivery_attempts WHERE source = 'autoheal' AND outcome = 'pending'`);
      expect(pending.rows).toEqual([{ delivery_id: interrupted }]);

      receiver.hang = false;
      // Older than abandon_pending_after_seconds, as if the dead process had sent it long ago.
      await pg.query(
        `UPDATE delivery_attempts SET attempted_at = attempted_at - interval '1 hour' WHERE source = 'autoheal' AND outcome = 'pending'`,
      );
      // The dead holder's healing lease on the endpoint ran out with it.
      await pg.query(`UPDATE endpoint_leases SET expires_at = now() - interval '1 hour'`);
      service = await boot();
      const res = await call('/autoheal/run', { method: 'POST' });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { actions_taken: Array<{ replayed: string[]; not_claimed: string[] }> };
      // The interrupted one is not even a candidate any more: its claim blocks it.
      expect(body.actions_taken[0].replayed.sort()).toEqual(
        failed
          .map((d) => d.id)
          .filter((id) => id !== interrupted)
          .sort(),
      );
      expect(body.actions_taken[0].not_claimed).toEqual([]);

      const sends = receiver.received.map((r) => r.headers['idempotency-key']);
      expect(sends.filter((id) => id === interrupted)).toHaveLength(1);
      expect(new Set(sends).size).toBe(sends.length);
      const attempt = await pg.query(`SELECT outcome, error FROM delivery_attempts WHERE delivery_id = $1 AND source = 'autoheal'`, [
        interrupted,
      ]);
      expect(attempt.rows).toEqual([{ outcome: 'abandoned', error: expect.stringMatching(/not re-sent automatically/) }]);
    } finally {
      await pg.end();
    }
  });
});
