import type { NewRecovery, RecoveryCounts, RecoveryQuery, RecoveryRecord } from './recovery';

/**
 * Operator recoveries and their progress. Every change after `create` names the states it may
 * start from, so a cancelled recovery stays cancelled whatever its runner writes afterwards.
 */
export abstract class RecoveryStore {
  abstract create(recovery: NewRecovery, now: Date): Promise<RecoveryRecord>;

  abstract get(id: string): Promise<RecoveryRecord | null>;

  /** Newest first. */
  abstract list(query: RecoveryQuery): Promise<RecoveryRecord[]>;

  /** queued (or running, when a run is resumed) → running; null otherwise. */
  abstract start(id: string, now: Date): Promise<RecoveryRecord | null>;

  /**
   * The run's totals so far; `remaining` follows from them. Also once cancelled, so the sends that
   * were in flight at the cancel are counted. Null otherwise.
   */
  abstract progress(id: string, counts: RecoveryCounts, pausedReason: string | null, now: Date): Promise<RecoveryRecord | null>;

  /** running → completed (nothing remains) or failed (with why). Null when no longer running. */
  abstract finish(id: string, outcome: 'completed' | 'failed', error: string | null, now: Date): Promise<RecoveryRecord | null>;

  /** queued or running → cancelled. Null when unknown or already finished. */
  abstract cancel(id: string, by: string, now: Date): Promise<RecoveryRecord | null>;

  /** queued or running, oldest first: what a restarted instance queues again. */
  abstract unfinished(): Promise<RecoveryRecord[]>;
}
