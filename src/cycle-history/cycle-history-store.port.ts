import type { ActionSkipped, ActionTaken, CycleResult, IncidentSummary } from '../engine/cycle-result';
import { totalsOf } from '../engine/cycle-result';
import type { Strategy } from '../rules/rules.types';

/** One line of `GET /autoheal/history`: the guide's `timestamp, incident, strategy, result`. */
export interface HistoryEntry {
  timestamp: string;
  incident: IncidentSummary | null;
  strategy: Strategy | null;
  result: Record<string, unknown>;
}

/** What an adapter keeps of a cycle (the guide's `autoheal_history` columns); totals are derived. */
export interface StoredCycle {
  run_at: Date | string;
  incidents_detected: number;
  actions_taken: ActionTaken[];
  actions_skipped: ActionSkipped[];
  execution_time_ms: number;
  dry_run: boolean;
}

export function cycleResultFrom(row: StoredCycle): CycleResult {
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

/** Cycle results, newest first, so they survive restarts. */
export abstract class CycleHistoryStore {
  abstract save(result: CycleResult): Promise<void>;
  /** The last `limit` cycles, newest first. */
  abstract recent(limit: number): Promise<CycleResult[]>;

  async last(): Promise<CycleResult | null> {
    const [result] = await this.recent(1);
    return result ?? null;
  }

  /**
   * The actions of the last `limit` cycles, newest first. A cycle that found nothing still gets
   * one line, so an operator can see the machine ran.
   */
  async entries(limit: number): Promise<HistoryEntry[]> {
    const results = await this.recent(limit);
    return results.flatMap((row) => {
      const timestamp = row.run_at;
      const taken = row.actions_taken.map(({ incident, strategy, ...result }) => ({ timestamp, incident, strategy, result }));
      const skipped = row.actions_skipped.map(({ incident, strategy, ...rest }) => ({
        timestamp,
        incident,
        strategy,
        result: { executed: false, ...rest },
      }));
      const lines: HistoryEntry[] = [...taken, ...skipped];
      if (lines.length === 0) {
        lines.push({
          timestamp,
          incident: null,
          strategy: null,
          result: { incidents_detected: row.incidents_detected, dry_run: row.dry_run, message: 'No incidents' },
        });
      }
      return lines;
    });
  }
}
