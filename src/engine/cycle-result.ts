import type { Incident } from '../anomalies/incident';
import type { Strategy } from '../rules/rules.types';

/** The part of an incident that actions carry (the guide's `incident` object). */
export interface IncidentSummary {
  tenant_id: string;
  endpoint: string;
  severity: Incident['severity'];
  failures: number;
  kind: Incident['kind'];
}

export function summarize(incident: Incident): IncidentSummary {
  return {
    tenant_id: incident.tenant_id,
    endpoint: incident.endpoint,
    severity: incident.severity,
    failures: incident.failures,
    kind: incident.kind,
  };
}

/**
 * One action in `actions_taken`. The guide's examples differ per strategy (replayed/count,
 * created_incident/priority, recheck_after_seconds); common keys are typed, the rest ride along.
 */
export interface ActionTaken {
  strategy: Strategy;
  probability: number;
  executed: boolean;
  dry_run?: boolean;
  incident: IncidentSummary;
  /** Why the predictor chose this strategy. */
  rationale: string;
  message?: string;
  [detail: string]: unknown;
}

/**
 * What an interrupted cycle sent to one endpoint without recording it (it stopped first), rebuilt from the audit
 * intents its claims wrote, in the shape of a REPLAY_RECENT action. The decision behind the sends was never
 * recorded, so its probability, rationale and the incident's severity, failures and kind are null.
 */
export interface RecoveredAction {
  strategy: 'REPLAY_RECENT' | 'RECOVER_BACKLOG';
  probability: null;
  executed: true;
  incident: Pick<IncidentSummary, 'tenant_id' | 'endpoint'> & { severity: null; failures: null; kind: null };
  rationale: null;
  message: string;
  recovered_from: 'audit_trail';
  replayed: string[];
  delivered: string[];
  still_failing: string[];
  /** Sent, but the cycle stopped before it recorded the answer (the attempt stays pending, then abandoned). */
  unsettled: string[];
  count: number;
}

export interface ActionSkipped {
  incident: IncidentSummary;
  strategy: Strategy | null;
  /** Which safety check stopped it. */
  check: string;
  reason: string;
  probability?: number;
}

/** The guide's run result, key for key. */
export interface CycleResult {
  run_at: string;
  incidents_detected: number;
  actions_taken: ActionTaken[];
  actions_skipped: ActionSkipped[];
  total_replays: number;
  total_escalations: number;
  total_deferrals: number;
  execution_time_ms: number;
  dry_run: boolean;
}

/** Totals are derived from the actions, so a result rebuilt from autoheal_history is identical. */
export function totalsOf(actions: ActionTaken[]): Pick<CycleResult, 'total_replays' | 'total_escalations' | 'total_deferrals'> {
  const of = (strategy: Strategy) => actions.filter((a) => a.strategy === strategy);
  return {
    total_replays: of('REPLAY_RECENT').reduce((sum, a) => sum + (typeof a.count === 'number' ? a.count : 0), 0),
    total_escalations: of('ESCALATE_OPERATOR').length,
    total_deferrals: of('DEFER_AND_MONITOR').length,
  };
}
