import type { ActionTaken, CycleResult, RecoveredAction } from '../engine/cycle-result';
import { CycleHistoryStore, cycleResultFrom, LapsedCycle, OpenedCycle, RecordedCycle, StoredCycle } from './cycle-history-store.port';

interface Row extends StoredCycle {
  leaseExpiresAt: number | null;
}

/** Leases run on wall-clock time, as the SQL adapter's run on the database's `now()`. */
export class MemoryCycleHistoryStore extends CycleHistoryStore {
  private readonly rows = new Map<string, Row>();

  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  async open(cycle: OpenedCycle): Promise<void> {
    if (this.rows.has(cycle.cycleId)) return;
    this.rows.set(cycle.cycleId, {
      run_at: cycle.runAt,
      incidents_detected: cycle.incidentsDetected,
      actions_taken: null,
      actions_skipped: [],
      execution_time_ms: 0,
      dry_run: cycle.dryRun,
      status: 'running',
      leaseExpiresAt: this.now() + cycle.leaseMs,
    });
  }

  async append(cycleId: string, action: ActionTaken): Promise<void> {
    const row = this.rows.get(cycleId);
    if (row) row.actions_taken = [...(row.actions_taken ?? []), copy(action)];
  }

  async keepAlive(cycleId: string, leaseMs: number): Promise<void> {
    const row = this.rows.get(cycleId);
    if (row?.status === 'running') row.leaseExpiresAt = this.now() + leaseMs;
  }

  async complete(cycleId: string, result: CycleResult): Promise<void> {
    // A JSON round trip, as the jsonb columns do: a later change to `result` cannot reach the record.
    const { actions_taken, actions_skipped } = copy(result);
    this.rows.set(cycleId, {
      run_at: new Date(result.run_at),
      incidents_detected: result.incidents_detected,
      actions_taken: actions_taken.length > 0 ? actions_taken : null,
      actions_skipped,
      execution_time_ms: result.execution_time_ms,
      dry_run: result.dry_run,
      status: 'completed',
      leaseExpiresAt: null,
    });
  }

  async lapsed(): Promise<LapsedCycle[]> {
    return [...this.rows.entries()]
      .filter(([, row]) => this.expired(row))
      .map(([cycleId, row]) => ({ cycleId, runAt: new Date(row.run_at), actionsTaken: copy(row.actions_taken ?? []) }))
      .sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
  }

  async markInterrupted(cycleId: string, recovered: RecoveredAction[]): Promise<boolean> {
    const row = this.rows.get(cycleId);
    if (!row || !this.expired(row)) return false;
    row.status = 'interrupted';
    if (recovered.length > 0) row.actions_taken = [...(row.actions_taken ?? []), ...copy(recovered)];
    return true;
  }

  async recent(limit: number): Promise<RecordedCycle[]> {
    const newestFirst = [...this.rows.values()].sort((a, b) => new Date(b.run_at).getTime() - new Date(a.run_at).getTime());
    return newestFirst.slice(0, limit).map((row) => {
      const { leaseExpiresAt, ...stored } = copy(row);
      return cycleResultFrom({ ...stored, status: this.expired({ ...stored, leaseExpiresAt }) ? 'interrupted' : stored.status });
    });
  }

  private expired(row: Row): boolean {
    return row.status === 'running' && row.leaseExpiresAt !== null && row.leaseExpiresAt <= this.now();
  }
}

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
