import { Client } from 'pg';
import type { CycleResult } from '../../src/engine/cycle-result';
import { RECOVERED_MESSAGE } from '../../src/engine/recovered-actions';
import { SEND_AUDIT_ACTION } from '../../src/replay/replay-ledger.port';
import { eventually } from '../utils/eventually';
import { createPrivatePostgres, PrivatePostgres } from '../utils/private-postgres';
import { FaultRig, seedFailureBurst, startFaultRig } from './fault-fixtures';

const FAILED = 6;
const ANSWER_DELAY_MS = 3_000;

jest.setTimeout(90_000);

/**
 * The service's own PostgreSQL cluster is stopped (`-m immediate`) while a live cycle waits for a
 * slow endpoint to answer its second replay, then started again. The claim and its audit intent
 * committed before that send, so the send is audited; its settle fails, so the attempt stays
 * `pending`, is abandoned by the next cycle and is never re-sent. While the database is down every
 * route answers 503 with Retry-After; once it is back the next cycle heals the rest.
 */
describe('PostgreSQL stopped mid-cycle', () => {
  let cluster: PrivatePostgres | undefined;
  let rig: FaultRig | undefined;

  const call = (path: string, init: RequestInit = {}) => rig!.call(path, init);
  const runLive = () => rig!.runLive();
  const sends = () => rig!.sends();
  async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const pg = new Client({ connectionString: cluster!.url });
    await pg.connect();
    try {
      return (await pg.query(sql, params)).rows as T[];
    } finally {
      await pg.end();
    }
  }

  beforeAll(async () => {
    cluster = await createPrivatePostgres();
    // Short cycle leases, so the interrupted cycle's history row is seen as interrupted at once;
    // no cooldown, so the cycle after the outage may heal the endpoint again.
    const rules = {
      cycle: { lock_ttl_seconds: 1, slot_ttl_seconds: 1, abandon_pending_after_seconds: 10 },
      strategy_limits: { REPLAY_RECENT: { cooldown_minutes: 0 } },
    };
    rig = await startFaultRig('pg-stopped', rules, { DATABASE_URL: cluster.url, REPLAY_TIMEOUT_MS: '5000' });
  });
  afterAll(async () => {
    await rig?.stop();
    await cluster?.remove();
  });

  it('audits every send, sends none twice, abandons the one it could not settle and answers 503 while down', async () => {
    const receiver = rig!.receiver;
    const target = receiver.url('/hook');
    const seeded = await seedFailureBurst(rig!, target, FAILED);
    expect(seeded.status).toBe(200);
    const { failed } = seeded;

    receiver.delayMs = ANSWER_DELAY_MS;
    const run = runLive();
    await eventually(() => expect(receiver.received).toHaveLength(2), 20_000);
    const secondSentAt = Date.now();
    await cluster!.stop();
    // The premise: the database went down while the second send waited for its answer.
    expect(Date.now() - secondSentAt).toBeLessThan(ANSWER_DELAY_MS);
    const [settled, interrupted] = sends();

    // The cycle stops at the failed settle, and says the database is unavailable: 503, never 500.
    const first = await run;
    expect({ status: first.status, retryAfter: first.retryAfter, error: first.body.error }).toEqual({
      status: 503,
      retryAfter: '5',
      error: 'database_unavailable',
    });
    expect(sends()).toEqual([settled, interrupted]);
    const list = await call('/deliveries?tenant_id=t1');
    expect({ status: list.status, retryAfter: list.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '5' });
    expect(await list.json()).toMatchObject({ error: 'database_unavailable' });
    const refused = await runLive();
    expect({ status: refused.status, retryAfter: refused.retryAfter }).toEqual({ status: 503, retryAfter: '5' });
    expect(sends()).toHaveLength(2);

    receiver.delayMs = 0;
    await cluster!.start();
    await eventually(async () => expect((await call('/health')).status).toBe(200), 30_000, 200);

    // Both sends have their audit intent (committed with the claim); the second is still pending.
    const intents = () =>
      query<{ resource_id: string; cycle_id: string }>(
        `SELECT resource_id, meta->>'cycle_id' AS cycle_id FROM operator_audit WHERE action = $1 ORDER BY at`,
        [SEND_AUDIT_ACTION],
      );
    expect((await intents()).map((row) => row.resource_id)).toEqual([settled, interrupted]);
    const attempts = () =>
      query<{ delivery_id: string; outcome: string }>(
        `SELECT delivery_id, outcome FROM delivery_attempts WHERE source = 'autoheal' ORDER BY id`,
      );
    expect(await attempts()).toEqual([
      { delivery_id: settled, outcome: 'succeeded' },
      { delivery_id: interrupted, outcome: 'pending' },
    ]);
    // Ten seconds on (abandon_pending_after_seconds): the pending send and the endpoint lease the
    // stopped cycle could not release belong to the past.
    await query(`UPDATE delivery_attempts SET attempted_at = attempted_at - interval '1 hour' WHERE outcome = 'pending'`);
    await query(`UPDATE endpoint_leases SET expires_at = now() - interval '1 hour'`);

    const next = await runLive();
    expect(next.status).toBe(200);
    const rest = failed.map((d) => d.id).filter((id) => id !== settled && id !== interrupted);
    expect(next.body.actions_taken.flatMap((action) => (action.replayed as string[] | undefined) ?? []).sort()).toEqual(rest.sort());
    expect(next.body.total_replays).toBe(FAILED - 2);

    // Across both cycles: 6 sends, each delivery once, each send with exactly one intent row.
    const allSends = sends();
    expect([...allSends].sort()).toEqual(failed.map((d) => d.id).sort());
    const audited = await intents();
    expect(audited.map((row) => row.resource_id).sort()).toEqual([...allSends].sort());
    expect(new Set(audited.map((row) => row.cycle_id)).size).toBe(2);
    const outcomes = await attempts();
    expect(outcomes.filter((a) => a.delivery_id === interrupted)).toEqual([{ delivery_id: interrupted, outcome: 'abandoned' }]);
    expect(outcomes.filter((a) => a.outcome === 'succeeded')).toHaveLength(FAILED - 1);

    // The stopped cycle is in the history as interrupted; the next one completed.
    const history = await query<{ cycle_id: string; status: string; actions_taken: CycleResult['actions_taken'] | null }>(
      `SELECT cycle_id::text, status, actions_taken FROM autoheal_history WHERE NOT dry_run ORDER BY run_at`,
    );
    expect(history.map((row) => row.status)).toEqual(['interrupted', 'completed']);
    expect(history.map((row) => row.cycle_id)).toEqual([...new Set(audited.map((row) => row.cycle_id))]);
    // It never recorded its action (the database was gone): the next cycle filled it in from its audit intents.
    expect(history[0].actions_taken).toEqual([
      {
        strategy: 'REPLAY_RECENT',
        probability: null,
        executed: true,
        incident: { tenant_id: 't1', endpoint: target, severity: null, failures: null, kind: null },
        rationale: null,
        message: RECOVERED_MESSAGE,
        recovered_from: 'audit_trail',
        replayed: [settled, interrupted],
        delivered: [settled],
        still_failing: [],
        unsettled: [interrupted],
        count: 2,
      },
    ]);
    // The guide's Healing Success Rate counts both cycles as having acted.
    const [{ success_rate }] = await query<{ success_rate: number }>(
      `SELECT COUNT(CASE WHEN actions_taken IS NOT NULL THEN 1 END)::float / COUNT(*) AS success_rate
         FROM autoheal_history WHERE NOT dry_run`,
    );
    expect(success_rate).toBe(1);
    const recent = (await (await call('/autoheal/history?limit=10')).json()) as Array<{ result: { status?: string } }>;
    expect(recent.filter((line) => line.result.status === 'interrupted')).toHaveLength(1);
  });
});
