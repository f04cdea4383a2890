import type { Incident } from '../anomalies/incident';
import type { Strategy } from '../rules/rules.types';

export interface StrategyContext {
  transient_ratio?: number;
  permanent_ratio?: number;
  recent_deliveries?: { triage_label: string | null }[];
  /** M4's replay success rate for the endpoint, 0..1; null/undefined when unknown. */
  endpoint_success_rate?: number | null;
  /** The largest batch REPLAY_RECENT may take (tenant-effective max_deliveries). */
  max_batch?: number;
  /** How often this incident has been deferred already. */
  deferrals?: number;
  max_deferrals?: number;
  /** detection.min_failures */
  min_failures?: number;
  /**
   * RECOVER_BACKLOG can run for this incident (its machinery is wired and the tenant allows it).
   * Without it the tree is the guide's, which knows no backlog recovery.
   */
  backlog_recovery?: boolean;
  /** REPLAY_RECENT's tenant-effective min_confidence: a small burst is replayed only where a replay would clear it. */
  replay_min_confidence?: number;
  /** Heals of this incident that did not work so far (probes and drains that recovered nothing). */
  ineffective_attempts?: number;
  /** RECOVER_BACKLOG's max_ineffective_attempts: after that many the incident is escalated instead. */
  max_ineffective_attempts?: number;
}

export type IncidentLike = Partial<Incident>;

export interface StrategyChoice {
  strategy: Strategy;
  /** Why, in words an operator reads in actions_taken / actions_skipped. */
  reason: string;
}

export interface ApplyContext extends StrategyContext {
  /** The predicted probability; computed with predictOutcomeProbability when absent. */
  probability?: number;
  /** global_safety.min_confidence (default 0.5). */
  min_confidence?: number;
  /** The strategy's own min_confidence from its limits. */
  strategy_min_confidence?: number;
  /** require_approval_for_critical, the tenant's override else global_safety's (default true). */
  require_approval_for_critical?: boolean;
  /** An operator approved healing this incident: severity no longer holds it back. */
  approved?: boolean;
}

export interface ApplyDecision {
  apply: boolean;
  reason?: string;
  /** Which of the engine's safety checks this is. */
  check?: 'severity' | 'confidence';
  /**
   * Only with `check: 'severity'`: the strategy may run once an operator approves it, so the engine
   * escalates the incident with a pending approval instead of just skipping it.
   */
  needs_approval?: true;
}

/**
 * The guide's three decisions about one incident: which strategy (and why), how likely it is to
 * work, and the last word on applying it. Pure: every fact arrives in the context, so the engine
 * and the safety checks can ask without I/O. The implementation is chosen by PREDICTOR.
 */
export abstract class StrategyPredictor {
  abstract chooseStrategy(incident: IncidentLike, context: StrategyContext): StrategyChoice;
  abstract predictOutcomeProbability(incident: IncidentLike, strategy: Strategy, context: StrategyContext): number;
  abstract shouldApply(incident: IncidentLike, strategy: Strategy, context: ApplyContext): ApplyDecision;
}
