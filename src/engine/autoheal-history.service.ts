import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Strategy } from '../rules/rules.types';
import { ActionSkipped, ActionTaken, CycleResult, IncidentSummary, totalsOf } from './cycle-result';

/** One line of `GET /autoheal/history`: the guide's `timestamp, incident, strategy, result`. */
export interface HistoryEntry {
  timestamp: string;
  incident: IncidentSummary | null;
  strategy: Strategy | null;
  result: Record<string, unknown>;
}

interface HistoryRow {
  run_at: Date;
  incidents_detected: number;
  actions_taken: ActionTaken[];
  actions_skipped: ActionSkipped[];
  execution_time_ms: number;
  dry_run: boolean;
}

/** Cycle results in `autoheal_history` (the guide's columns), so they survive restarts. */
@Injectable()
export class AutohealHistory {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Committed without waiting for the WAL flush: the row is a report of the cycle, and what the
   * cycle did is already durable (attempts, escalations and the audit trail commit synchronously).
   * A crash in the next few milliseconds could lose this report, never an action.
   */
  async save(result: CycleResult): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL synchronous_commit = off`);
      await manager.query(
        `INSERT INTO autoheal_history (run_at, incidents_detected, actions_taken, actions_skipped, execution_time_ms, dry_run)
         VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6)`,
        [result.run_at, result.incidents_detected, JSON.stringify(result.actions_taken), JSON.stringify(result.actions_skipped), result.execution_time_ms, result.dry_run],
      );
    });
  }

  async last(): Promise<CycleResult | null> {
    const [row] = await this.recent(1);
    return row ? toResult(row) : null;
  }

  /**
   * The actions of the last `limit` cycles, newest first. A cycle that found nothing still gets
   * one line, so an operator can see the machine ran.
   */
  async entries(limit: number): Promise<HistoryEntry[]> {
    const rows = await this.recent(limit);
    return rows.flatMap((row) => {
      const timestamp = new Date(row.run_at).toISOString();
      const taken = row.actions_taken.map(({ incident, strategy, ...result }) => ({ timestamp, incident, strategy, result }));
      const skipped = row.actions_skipped.map(({ incident, strategy, ...rest }) => ({ timestamp, incident, strategy, result: { executed: false, ...rest } }));
      const lines: HistoryEntry[] = [...taken, ...skipped];
      if (lines.length === 0) {
        lines.push({ timestamp, incident: null, strategy: null, result: { incidents_detected: row.incidents_detected, dry_run: row.dry_run, message: 'No incidents' } });
      }
      return lines;
    });
  }

  private recent(limit: number): Promise<HistoryRow[]> {
    return this.dataSource.query(
      `SELECT run_at, incidents_detected, actions_taken, actions_skipped, execution_time_ms, dry_run
       FROM autoheal_history ORDER BY run_at DESC, id LIMIT $1`,
      [limit],
    );
  }
}

function toResult(row: HistoryRow): CycleResult {
  return {
    run_at: new Date(row.run_at).toISOString(),
    incidents_detected: row.incidents_detected,
    actions_taken: row.actions_taken,
    actions_skipped: row.actions_skipped,
    ...totalsOf(row.actions_taken),
    execution_time_ms: row.execution_time_ms,
    dry_run: row.dry_run,
  };
}
