import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { SqlAuditLog } from '../../src/audit/sql-audit-log.adapter';
import { ManualClock } from '../../src/clock/clock';
import { SqlCycleHistoryStore } from '../../src/cycle-history/sql-cycle-history-store.adapter';
import { SqlDeferralStore } from '../../src/deferrals/sql-deferral-store.adapter';
import { CycleBookkeeping } from '../../src/engine/cycle-bookkeeping.service';
import type { ActionTaken } from '../../src/engine/cycle-result';
import { RECOVERED_MESSAGE } from '../../src/engine/recovered-actions';
import { AutohealMetrics } from '../../src/metrics/autoheal-metrics.service';
import { SqlReplayLedger } from '../../src/replay/sql-replay-ledger.adapter';
import { DEFAULT_RULES } from '../../src/rules/rules.defaults';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const RUN_AT = new Date('2030-01-01T12:00:00.000Z');
const at = (seconds: number) => new Date(RUN_AT.getTime() + seconds * 1000);
const A = 'https://a.example.com/hook';
const B = 'https://b.example.com/hook';
const actor = 'system:autoheal';

interface HistoryRow {
  status: string;
  actions_taken: unknown[] | null;
}

/**
 * A cycle whose process stopped mid-action, on PostgreSQL: the claims' audit intents (written by the real
 * ledger) are all there is of its sends, and the next live cycle's bookkeeping reads them by the cycle's id.
 */
describe('An interrupted cycle, filled in from its audit trail (PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let ledger: SqlReplayLedger;
  let history: SqlCycleHistoryStore;
  let bookkeeping: CycleBookkeeping;
  let seq = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = new DataSource(dataSourceOptions(db.url, 2));
    await dataSource.initialize();
    ledger = new SqlReplayLedger(dataSource);
    history = new SqlCycleHistoryStore(dataSource);
    const audit = new SqlAuditLog(dataSource, new ManualClock(RUN_AT));
    bookkeeping = new CycleBookkeeping(ledger, new SqlDeferralStore(dataSource), history, new AutohealMetrics(), audit);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  async function failedDelivery(tenantId: string, target: string): Promise<string> {
    const id = `dlv_${++seq}`;
    await dataSource.query(
      `INSERT INTO deliveries (id, tenant_id, target, status, http_status, error, attempts, payload)
       VALUES ($1, $2, $3, 'failed', 503, 'HTTP 503', 1, '{}'::jsonb)`,
      [id, tenantId, target],
    );
    return id;
  }
  /** Claimed (its audit intent committed with the claim), sent, and settled with `answer` unless the cycle stopped first. */
  async function send(cycleId: string, id: string, second: number, answer?: 'ok' | 'failed'): Promise<void> {
    const claim = await ledger.claim(id, { cycleId, actor, now: at(second), cycleStartedAt: RUN_AT, audit: true });
    if (!claim) throw new Error(`${id} was not claimed`);
    if (answer === undefined) return;
    const ok = answer === 'ok';
    await ledger.settle(claim, { ok, httpStatus: ok ? 200 : 503, error: ok ? null : 'HTTP 503', durationMs: 40 }, at(second + 1));
  }
  const openLapsed = async () => {
    const cycleId = randomUUID();
    await history.open({ cycleId, runAt: RUN_AT, incidentsDetected: 2, dryRun: false, leaseMs: 0 });
    return cycleId;
  };
  const row = async (cycleId: string): Promise<HistoryRow> =>
    (await dataSource.query(`SELECT status, actions_taken FROM autoheal_history WHERE cycle_id = $1`, [cycleId]))[0];

  it('lists the sends it never recorded, per endpoint, after the actions it did append', async () => {
    const cycleId = await openLapsed();
    const b1 = await failedDelivery('t2', B);
    const [a1, a2, a3] = [await failedDelivery('t1', A), await failedDelivery('t1', A), await failedDelivery('t1', A)];
    // Endpoint B's action completed and was appended; endpoint A's stopped at its third send.
    await send(cycleId, b1, 1, 'ok');
    const appended: ActionTaken = {
      strategy: 'REPLAY_RECENT',
      probability: 0.8,
      executed: true,
      incident: { tenant_id: 't2', endpoint: B, severity: 'medium', failures: 1, kind: 'failure_burst' },
      rationale: 'Mostly transient',
      replayed: [b1],
      delivered: [b1],
      still_failing: [],
      count: 1,
    };
    await history.append(cycleId, appended);
    await send(cycleId, a1, 10, 'ok');
    await send(cycleId, a2, 12, 'failed');
    await send(cycleId, a3, 14);
    // Another cycle's send to A is not this cycle's.
    await send(randomUUID(), await failedDelivery('t1', A), 16, 'ok');

    await bookkeeping.beforeLiveCycle(at(60), DEFAULT_RULES);

    expect(await row(cycleId)).toEqual({
      status: 'interrupted',
      actions_taken: [
        appended,
        {
          strategy: 'REPLAY_RECENT',
          probability: null,
          executed: true,
          incident: { tenant_id: 't1', endpoint: A, severity: null, failures: null, kind: null },
          rationale: null,
          message: RECOVERED_MESSAGE,
          recovered_from: 'audit_trail',
          replayed: [a1, a2, a3],
          delivered: [a1],
          still_failing: [a2],
          unsettled: [a3],
          count: 3,
        },
      ],
    });
    expect(await history.last()).toMatchObject({ status: 'interrupted', total_replays: 4 });
    // Marked once: the next cycle finds nothing lapsed, and appends nothing again.
    await bookkeeping.beforeLiveCycle(at(120), DEFAULT_RULES);
    expect((await row(cycleId)).actions_taken).toHaveLength(2);
  });

  it('leaves actions_taken NULL for an interrupted cycle that sent nothing, so the guide\'s success rate still means "acted"', async () => {
    const idle = await openLapsed();
    await bookkeeping.beforeLiveCycle(at(60), DEFAULT_RULES);
    expect(await row(idle)).toEqual({ status: 'interrupted', actions_taken: null });
    const [{ acted }] = await dataSource.query(
      `SELECT COUNT(CASE WHEN actions_taken IS NOT NULL THEN 1 END)::int AS acted FROM autoheal_history WHERE status = 'interrupted'`,
    );
    expect(acted).toBe(1);
  });
});
