import type { Incident } from '../anomalies/incident';
import type { Strategy } from '../rules/rules.types';

export interface StrategyContext {
  transient_ratio?: number;
  permanent_ratio?: number;
  recent_deliveries?: { triage_label: string | null }[];
  /** 0..1; null/undefined when unknown. */
  endpoint_success_rate?: number | null;
  /** Tenant-effective max_deliveries. */
  max_batch?: number;
  deferrals?: number;
  max_deferrals?: number;
  min_failures?: number;
  /** Its machinery is wired and the tenant allows it; without it the tree is the guide's. */
  backlog_recovery?: boolean;
  /** Tenant-effective: a small burst is replayed only where a replay would clear it. */
  replay_min_confidence?: number;
  /** Probes and drains that recovered nothing. */
  ineffective_attempts?: number;
  max_ineffective_attempts?: number;
  /** When several strategies apply, the lowest wins (the rules' strategy_priorities; the guide's by default). */
  strategy_priorities?: Readonly<Record<Strategy, number>>;
  /** SILENCE_DUPES (tenant-effective): the share of failures one error signature must exceed. */
  duplicate_ratio?: number;
  /** The tenant's disabled_strategies: RATE_LIMIT_SOURCE and SILENCE_DUPES are not offered when listed. */
  disabled_strategies?: readonly Strategy[];
  /** The tenant is throttled already: RATE_LIMIT_SOURCE has done its part, the failure pattern decides. */
  tenant_throttled?: boolean;
  /** The incident's error signature is silenced already: SILENCE_DUPES has done its part. */
  signature_silenced?: boolean;
}

export type IncidentLike = Partial<Incident>;

export interface StrategyChoice {
  strategy: Strategy;
  /** Read by operators in actions_taken / actions_skipped. */
  reason: string;
}

export interface ApplyContext extends StrategyContext {
  /** Computed with predictOutcomeProbability when absent. */
  probability?: number;
  /** global_safety.min_confidence (default 0.5). */
  min_confidence?: number;
  strategy_min_confidence?: number;
  /** The tenant's override, else global_safety's (default true). */
  require_approval_for_critical?: boolean;
  /** Severity no longer holds it back. */
  approved?: boolean;
}

export interface ApplyDecision {
  apply: boolean;
  reason?: string;
  check?: 'severity' | 'confidence';
  /** The engine then escalates the incident with a pending approval instead of just skipping it. */
  needs_approval?: true;
}

/** Pure: every fact arrives in the context, so the engine and the safety checks ask without I/O. */
export abstract class StrategyPredictor {
  abstract chooseStrategy(incident: IncidentLike, context: StrategyContext): StrategyChoice;
  abstract predictOutcomeProbability(incident: IncidentLike, strategy: Strategy, context: StrategyContext): number;
  abstract shouldApply(incident: IncidentLike, strategy: Strategy, context: ApplyContext): ApplyDecision;
  /** Awaited at the start of every cycle: a predictor that learns reads what it learns from here, not while deciding. */
  async prepare(_now: Date): Promise<void> {}
}
