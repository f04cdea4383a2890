import { DataSource } from 'typeorm';
import type { CycleResult } from '../engine/cycle-result';
import { CycleHistoryStore, cycleResultFrom, StoredCycle } from './cycle-history-store.port';

const INSERT_CYCLE = `INSERT INTO autoheal_history (run_at, incidents_detected, actions_taken, actions_skipped, execution_time_ms, dry_run)
  VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6)`;
const RECENT_CYCLES = `SELECT run_at, incidents_detected, actions_taken, actions_skipped, execution_time_ms, dry_run
  FROM autoheal_history ORDER BY run_at DESC, id LIMIT $1`;

/** `autoheal_history`, in the guide's columns so its monitoring SQL runs as written. */
export class SqlCycleHistoryStore extends CycleHistoryStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  /**
   * Committed without waiting for the WAL flush: the row is a report of the cycle, and what the
   * cycle did is already durable (attempts, escalations and the audit trail commit synchronously).
   * A crash in the next few milliseconds could lose this report, never an action.
   */
  async save(result: CycleResult): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL synchronous_commit = off`);
      await manager.query(INSERT_CYCLE, [
        result.run_at,
        result.incidents_detected,
        JSON.stringify(result.actions_taken),
        JSON.stringify(result.actions_skipped),
        result.execution_time_ms,
        result.dry_run,
      ]);
    });
  }

  async recent(limit: number): Promise<CycleResult[]> {
    const rows: StoredCycle[] = await this.dataSource.query(RECENT_CYCLES, [limit]);
    return rows.map(cycleResultFrom);
  }
}
