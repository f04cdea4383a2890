import type { Severity, Strategy } from '../../rules/rules.types';
import type { IncidentKind } from '../../anomalies/incident';
import type { HistoryEntry } from '../../cycle-history/cycle-history-store.port';
import type { ActionSkipped, ActionTaken, CycleResult, IncidentSummary } from '../cycle-result';

/** The guide's `incident` object of an action. */
export class IncidentSummaryDto implements IncidentSummary {
  tenant_id: string;
  endpoint: string;
  severity: Severity;
  failures: number;
  kind: IncidentKind;
}

/**
 * One executed (or, in a dry run, predicted) action. Strategy-specific keys ride along: `replayed`/`count` for
 * REPLAY_RECENT, `created_incident`/`priority` for ESCALATE_OPERATOR, `recheck_after_seconds` for DEFER_AND_MONITOR.
 */
export class ActionTakenDto implements ActionTaken {
  [detail: string]: unknown;
  strategy: Strategy;
  probability: number;
  executed: boolean;
  dry_run?: boolean;
  incident: IncidentSummaryDto;
  /** Why the predictor chose this strategy. */
  rationale: string;
  message?: string;
}

export class ActionSkippedDto implements ActionSkipped {
  incident: IncidentSummaryDto;
  strategy: Strategy | null;
  /** Which safety check stopped it (see docs/runbook.md). */
  check: string;
  reason: string;
  probability?: number;
}

/** The guide's run result, key for key. */
export class CycleResultDto implements CycleResult {
  run_at: string;
  incidents_detected: number;
  actions_taken: ActionTakenDto[];
  actions_skipped: ActionSkippedDto[];
  total_replays: number;
  total_escalations: number;
  total_deferrals: number;
  execution_time_ms: number;
  dry_run: boolean;
}

/** A stored cycle; one still running, or whose process died, says so in `status` (absent once completed). */
export class RecordedCycleDto extends CycleResultDto {
  status?: 'running' | 'interrupted';
}

/** The guide's `timestamp, incident, strategy, result`. */
export class HistoryEntryDto implements HistoryEntry {
  timestamp: string;
  incident: IncidentSummaryDto | null;
  strategy: Strategy | null;
  result: Record<string, unknown>;
}
