import type { CycleResult } from '../engine/cycle-result';
import { CycleHistoryStore, cycleResultFrom, StoredCycle } from './cycle-history-store.port';

export class MemoryCycleHistoryStore extends CycleHistoryStore {
  private readonly rows: StoredCycle[] = [];

  async save(result: CycleResult): Promise<void> {
    // A JSON round trip, as the jsonb columns do: a later change to `result` cannot reach the record.
    const { actions_taken, actions_skipped } = JSON.parse(JSON.stringify(result)) as CycleResult;
    this.rows.push({
      run_at: new Date(result.run_at),
      incidents_detected: result.incidents_detected,
      actions_taken,
      actions_skipped,
      execution_time_ms: result.execution_time_ms,
      dry_run: result.dry_run,
    });
  }

  async recent(limit: number): Promise<CycleResult[]> {
    const newestFirst = [...this.rows].sort((a, b) => new Date(b.run_at).getTime() - new Date(a.run_at).getTime());
    return newestFirst.slice(0, limit).map((row) => cycleResultFrom(JSON.parse(JSON.stringify(row)) as StoredCycle));
  }
}
