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
  /** global_safety.require_approval_for_critical (default true). */
  require_approval_for_critical?: boolean;
}

export interface ApplyDecision {
  apply: boolean;
  reason?: string;
  /** Which of the engine's safety checks this is. */
  check?: 'severity' | 'confidence';
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
