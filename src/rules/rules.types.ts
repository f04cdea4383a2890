import type { TriageLabel } from '../triage/triage';

export const STRATEGIES = [
  'REPLAY_RECENT',
  'DEFER_AND_MONITOR',
  'ESCALATE_OPERATOR',
  'RATE_LIMIT_SOURCE',
  'SILENCE_DUPES',
] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Per-strategy caps (the guide's AUTOHEAL_LIMITS). Keys a strategy does not use are absent. */
export interface StrategyLimits {
  max_deliveries?: number;
  time_window_minutes?: number;
  min_confidence?: number;
  cooldown_minutes?: number;
  allowed_triage_labels?: TriageLabel[];
  /** DEFER_AND_MONITOR */
  recheck_delay_seconds?: number;
  max_deferrals?: number;
  alert_after_deferrals?: number;
  /** ESCALATE_OPERATOR */
  priority?: 'low' | 'medium' | 'high' | 'critical';
  /** RATE_LIMIT_SOURCE / SILENCE_DUPES (future strategies; kept so the config shape is complete) */
  throttle_factor?: number;
  duration_minutes?: number;
  dedup_window_seconds?: number;
  max_occurrences?: number;
}

export interface BusinessHours {
  enabled: boolean;
  /** Hours in `timezone`, [start_hour, end_hour). */
  start_hour: number;
  end_hour: number;
  /** 0 = Sunday … 6 = Saturday */
  days: number[];
  timezone: string;
  /** What business hours restrict: automatic actions run only inside them (`inside`) or only outside (`outside`). */
  allow_actions: 'inside' | 'outside';
}

/** The guide's GLOBAL_SAFETY, plus the global confidence floor and optional business hours. */
export interface GlobalSafety {
  autoheal_enabled: boolean;
  dry_run: boolean;
  max_heals_per_hour: number;
  max_concurrent_heals: number;
  audit_all_actions: boolean;
  require_approval_for_critical: boolean;
  /** "Is strategy confidence >50%?" — applies to every strategy, before its own min_confidence. */
  min_confidence: number;
  business_hours: BusinessHours;
}

export interface TenantOverride {
  max_replays?: number;
  escalation_delay_minutes?: number;
  skip_notifications?: boolean;
  /** Strategies this tenant does not allow the machine to run for it. */
  disabled_strategies?: Strategy[];
  autoheal_enabled?: boolean;
}

/** M3 thresholds: how a recent window compares to its baseline. */
export interface DetectionRules {
  recent_window_minutes: number;
  baseline_window_minutes: number;
  min_failures: number;
  /** A burst's failure rate must be at least this … */
  min_failure_rate: number;
  /** … and at least this many times the baseline's failure rate. */
  baseline_multiplier: number;
  /** Recent traffic per minute over baseline traffic per minute that counts as a spike … */
  traffic_spike_ratio: number;
  /** … when the recent window has at least this many deliveries. */
  traffic_spike_min_deliveries: number;
  /** Failures at or above which an incident is medium / high / critical. */
  severity_thresholds: { medium: number; high: number; critical: number };
}

export interface CycleRules {
  /**
   * The live-cycle lock's lease. A running cycle renews it (every third of it), so it only needs to
   * outlast a stalled renewal; a killed holder frees it within one lease.
   */
  lock_ttl_seconds: number;
  /** The lease of a slot in max_concurrent_heals (and of the cycle's history row), renewed the same way. */
  slot_ttl_seconds: number;
  /** Replay attempts still `pending` after this long are marked `abandoned`. */
  abandon_pending_after_seconds: number;
}

export interface AutohealRules {
  global_safety: GlobalSafety;
  strategy_limits: Record<Strategy, StrategyLimits>;
  strategy_priorities: Record<Strategy, number>;
  tenant_overrides: Record<string, TenantOverride>;
  detection: DetectionRules;
  cycle: CycleRules;
}
