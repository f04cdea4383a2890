import { DataSource } from 'typeorm';
import type { ActionTaken, CycleResult, RecoveredAction } from '../engine/cycle-result';
import { CycleHistoryStore, cycleResultFrom, LapsedCycle, OpenedCycle, RecordedCycle, StoredCycle } from './cycle-history-store.port';

const OPEN_CYCLE = `INSERT INTO autoheal_history
    (cycle_id, run_at, incidents_detected, actions_taken, actions_skipped, execution_time_ms, dry_run, status, lease_expires_at)
  VALUES ($1, $2, $3, NULL, '[]'::jsonb, 0, $4, 'running', now() + $5 * interval '1 millisecond')
  ON CONFLICT (cycle_id) DO NOTHING`;
const APPEND_ACTION = `UPDATE autoheal_history
  SET actions_taken = COALESCE(actions_taken, '[]'::jsonb) || jsonb_build_array($2::jsonb)
  WHERE cycle_id = $1`;
const KEEP_ALIVE = `UPDATE autoheal_history SET lease_expires_at = now() + $2 * interval '1 millisecond'
  WHERE cycle_id = $1 AND status = 'running'`;
const COMPLETE_CYCLE = `INSERT INTO autoheal_history
    (cycle_id, run_at, incidents_detected, actions_taken, actions_skipped, execution_time_ms, dry_run, status, lease_expires_at)
  VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, 'completed', NULL)
  ON CONFLICT (cycle_id) DO UPDATE SET
    incidents_detected = EXCLUDED.incidents_detected, actions_taken = EXCLUDED.actions_taken,
    actions_skipped = EXCLUDED.actions_skipped, execution_time_ms = EXCLUDED.execution_time_ms,
    status = 'completed', lease_expires_at = NULL`;
const LAPSED = `SELECT cycle_id::text AS cycle_id, run_at, COALESCE(actions_taken, '[]'::jsonb) AS actions_taken
  FROM autoheal_history WHERE status = 'running' AND lease_expires_at <= now() ORDER BY run_at`;
// Nothing recovered leaves actions_taken as it was: NULL still means the cycle took no action.
const MARK_INTERRUPTED = `UPDATE autoheal_history SET status = 'interrupted',
    actions_taken = CASE WHEN jsonb_array_length($2::jsonb) = 0 THEN actions_taken
                         ELSE COALESCE(actions_taken, '[]'::jsonb) || $2::jsonb END
  WHERE cycle_id = $1 AND status = 'running' AND lease_expires_at <= now()`;
const RECENT_CYCLES = `SELECT run_at, incidents_detected, actions_taken, actions_skipped, execution_time_ms, dry_run,
    CASE WHEN status = 'running' AND lease_expires_at <= now() THEN 'interrupted' ELSE status END AS status
  FROM autoheal_history ORDER BY run_at DESC, id LIMIT $1`;

/** The guide's columns, so its monitoring SQL runs as written. */
export class SqlCycleHistoryStore extends CycleHistoryStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async open(cycle: OpenedCycle): Promise<void> {
    await this.dataSource.query(OPEN_CYCLE, [cycle.cycleId, cycle.runAt, cycle.incidentsDetected, cycle.dryRun, cycle.leaseMs]);
  }

  async append(cycleId: string, action: ActionTaken): Promise<void> {
    await this.dataSource.query(APPEND_ACTION, [cycleId, JSON.stringify(action)]);
  }

  async keepAlive(cycleId: string, leaseMs: number): Promise<void> {
    await this.dataSource.query(KEEP_ALIVE, [cycleId, leaseMs]);
  }

  /**
   * Committed without waiting for the WAL flush: what the cycle did is already durable (attempts, escalations and
   * the audit trail commit synchronously), so a crash could lose this report, never an action.
   */
  async complete(cycleId: string, result: CycleResult): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL synchronous_commit = off`);
      await manager.query(COMPLETE_CYCLE, [
        cycleId,
        result.run_at,
        result.incidents_detected,
        result.actions_taken.length > 0 ? JSON.stringify(result.actions_taken) : null,
        JSON.stringify(result.actions_skipped),
        result.execution_time_ms,
        result.dry_run,
      ]);
    });
  }

  async lapsed(): Promise<LapsedCycle[]> {
    const rows: Array<{ cycle_id: string; run_at: Date; actions_taken: LapsedCycle['actionsTaken'] }> = await this.dataSource.query(LAPSED);
    return rows.map((row) => ({ cycleId: row.cycle_id, runAt: new Date(row.run_at), actionsTaken: row.actions_taken }));
  }

  async markInterrupted(cycleId: string, recovered: RecoveredAction[]): Promise<boolean> {
    const [, count]: [unknown, number] = await this.dataSource.query(MARK_INTERRUPTED, [cycleId, JSON.stringify(recovered)]);
    return count > 0;
  }

  async recent(limit: number): Promise<RecordedCycle[]> {
    const rows: StoredCycle[] = await this.dataSource.query(RECENT_CYCLES, [limit]);
    return rows.map(cycleResultFrom);
  }
}
