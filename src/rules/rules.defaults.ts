import type { AutohealRules } from './rules.types';

/** The guide's defaults. AUTOHEAL_CONFIG_FILE overrides any subset of them. */
export const DEFAULT_RULES: AutohealRules = {
  global_safety: {
    autoheal_enabled: true,
    dry_run: false,
    max_heals_per_hour: 100,
    max_concurrent_heals: 5,
    audit_all_actions: true,
    require_approval_for_critical: true,
    min_confidence: 0.5,
    business_hours: {
      enabled: false,
      start_hour: 9,
      end_hour: 17,
      days: [1, 2, 3, 4, 5],
      timezone: 'UTC',
      allow_actions: 'inside',
    },
  },
  strategy_limits: {
    REPLAY_RECENT: {
      max_deliveries: 25,
      time_window_minutes: 10,
      min_confidence: 0.7,
      cooldown_minutes: 5,
      allowed_triage_labels: ['transient_endpoint_down', 'rate_limited'],
    },
    DEFER_AND_MONITOR: {
      recheck_delay_seconds: 120,
      max_deferrals: 3,
      alert_after_deferrals: 2,
      min_confidence: 0.5,
      cooldown_minutes: 0,
    },
    ESCALATE_OPERATOR: {
      priority: 'high',
      min_confidence: 0.5,
      cooldown_minutes: 0,
    },
    RATE_LIMIT_SOURCE: {
      throttle_factor: 0.5,
      duration_minutes: 30,
      approval_above_minutes: 60,
      min_confidence: 0.7,
      cooldown_minutes: 30,
    },
    SILENCE_DUPES: {
      duplicate_ratio: 0.9,
      dedup_window_seconds: 300,
      max_occurrences: 10,
      duration_minutes: 15,
      min_confidence: 0.7,
      cooldown_minutes: 15,
    },
    RECOVER_BACKLOG: {
      probe_interval_seconds: 60,
      drain_concurrency: 4,
      drain_rate_per_second: 20,
      drain_max_consecutive_failures: 5,
      max_backlog_age_hours: 72,
      max_backlog_deliveries: 100_000,
      max_ineffective_attempts: 3,
      // REPLAY_RECENT's filter: an unlabelled failure may be permanent, and a drain re-sends thousands.
      allowed_triage_labels: ['transient_endpoint_down', 'rate_limited'],
      min_confidence: 0.7,
    },
  },
  strategy_priorities: {
    ESCALATE_OPERATOR: 1,
    RATE_LIMIT_SOURCE: 2,
    REPLAY_RECENT: 3,
    SILENCE_DUPES: 4,
    DEFER_AND_MONITOR: 5,
    // After the guide's five, so a custom order of those five stays valid; a drain is long-running
    // and counts as one heal, so the quick heals of a cycle take the slots first.
    RECOVER_BACKLOG: 6,
  },
  tenant_overrides: {
    'tenant-premium': { max_replays: 50, escalation_delay_minutes: 5 },
    'tenant-qa': { max_replays: 100, skip_notifications: true },
  },
  detection: {
    recent_window_minutes: 5,
    baseline_window_minutes: 60,
    min_failures: 5,
    min_failure_rate: 0.2,
    baseline_multiplier: 2,
    traffic_spike_ratio: 3,
    traffic_spike_min_deliveries: 20,
    sustained_last_attempts: 5,
    sustained_failure_ratio: 0.9,
    dominance_ratio: 0.6,
    flood_traffic_ratio: 3,
    flood_min_deliveries: 100,
    severity_thresholds: { medium: 10, high: 25, critical: 100 },
  },
  cycle: {
    lock_ttl_seconds: 15,
    slot_ttl_seconds: 15,
    abandon_pending_after_seconds: 120,
  },
  approvals: { ttl_minutes: 60 },
  storm: { max_incidents: 20, max_endpoint_share: 0.2, max_concurrent_drains: 5 },
};
