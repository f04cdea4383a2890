import { randomUUID } from 'node:crypto';
import type { ActionSkipped, ActionTaken, CycleResult, IncidentSummary, RecoveredAction } from '../engine/cycle-result';
import { totalsOf } from '../engine/cycle-result';
import type { Strategy } from '../rules/rules.types';

/** The guide's `timestamp, incident, strategy, result`. */
export interface HistoryEntry {
  timestamp: string;
  incident: IncidentSummary | null;
  strategy: Strategy | null;
  result: Record<string, unknown>;
}

export type CycleStatus = 'running' | 'completed' | 'interrupted';

/** A cycle still running, or whose process died (its row outlived its lease), says so in `status`. */
export type RecordedCycle = CycleResult & { status?: Exclude<CycleStatus, 'completed'> };

/** The guide's `autoheal_history` columns; totals are derived. */
export interface StoredCycle {
  run_at: Date | string;
  incidents_detected: number;
  /** NULL when the cycle took no action, so the guide's success-rate query counts it as such. */
  actions_taken: Array<ActionTaken | RecoveredAction> | null;
  actions_skipped: ActionSkipped[];
  execution_time_ms: number;
  dry_run: boolean;
  status: CycleStatus;
}

export interface OpenedCycle {
  cycleId: string;
  runAt: Date;
  incidentsDetected: number;
  dryRun: boolean;
  leaseMs: number;
}

/** A cycle still `running` whose lease ran out: its process stopped. */
export interface LapsedCycle {
  cycleId: string;
  runAt: Date;
  /** What it had appended. */
  actionsTaken: Array<ActionTaken | RecoveredAction>;
}

export function cycleResultFrom(row: StoredCycle): RecordedCycle {
  // A recovered action reads as an action taken; what its cycle never recorded is null (see RecoveredAction).
  const taken = (row.actions_taken ?? []) as ActionTaken[];
  return {
    run_at: new Date(row.run_at).toISOString(),
    incidents_detected: row.incidents_detected,
    actions_taken: taken,
    actions_skipped: row.actions_skipped,
    ...totalsOf(taken),
    execution_time_ms: row.execution_time_ms,
    dry_run: row.dry_run,
    ...(row.status === 'completed' ? {} : { status: row.status }),
  };
}

/**
 * A cycle opens its row before it acts and appends each action as it happens; a row still open after its
 * lease reads as `interrupted` (the process died), with the actions it had appended, and is marked so with
 * what the audit trail shows it did besides.
 */
export abstract class CycleHistoryStore {
  abstract open(cycle: OpenedCycle): Promise<void>;
  abstract append(cycleId: string, action: ActionTaken): Promise<void>;
  abstract keepAlive(cycleId: string, leaseMs: number): Promise<void>;
  /** Opens the row if `open` never got through. */
  abstract complete(cycleId: string, result: CycleResult): Promise<void>;
  abstract lapsed(): Promise<LapsedCycle[]>;
  /**
   * Marks a lapsed cycle `interrupted` and appends `recovered` to its actions, in one write; false (and
   * nothing written) when it is no longer lapsed: another instance marked it, or its process renewed the lease.
   */
  abstract markInterrupted(cycleId: string, recovered: RecoveredAction[]): Promise<boolean>;
  abstract recent(limit: number): Promise<RecordedCycle[]>;

  async save(result: CycleResult): Promise<void> {
    await this.complete(randomUUID(), result);
  }

  async last(): Promise<RecordedCycle | null> {
    const [result] = await this.recent(1);
    return result ?? null;
  }

  /** A cycle that found nothing still gets one line, so an operator can see the machine ran. */
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
      if (row.status) {
        const recovered = row.actions_taken.filter((action) => action.recovered_from === 'audit_trail').length;
        const fromTrail = recovered > 0 ? `, ${recovered} of them recovered from the audit trail` : '';
        const message =
          row.status === 'interrupted'
            ? `Cycle interrupted (its process stopped) after ${taken.length} action(s)${fromTrail}; the audit trail has every send`
            : `Cycle still running; ${taken.length} action(s) so far`;
        lines.unshift({
          timestamp,
          incident: null,
          strategy: null,
          result: { status: row.status, incidents_detected: row.incidents_detected, dry_run: row.dry_run, message },
        });
      } else if (lines.length === 0) {
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
