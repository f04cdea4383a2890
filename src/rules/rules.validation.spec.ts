import { DEFAULT_RULES } from './rules.defaults';
import { InvalidRulesError, validateRules } from './rules.validation';

function problemsOf(raw: unknown): string[] {
  try {
    validateRules(raw);
  } catch (error) {
    if (error instanceof InvalidRulesError) return error.problems;
    throw error;
  }
  return [];
}

describe('validateRules', () => {
  it('returns the guide defaults for an empty document', () => {
    expect(validateRules({})).toEqual(DEFAULT_RULES);
  });

  it('returns a frozen copy, leaving the defaults untouched', () => {
    const rules = validateRules({ global_safety: { dry_run: true } });
    expect(Object.isFrozen(rules.strategy_limits.REPLAY_RECENT.allowed_triage_labels)).toBe(true);
    expect(() => {
      (rules.global_safety as { dry_run: boolean }).dry_run = false;
    }).toThrow(TypeError);
    expect(DEFAULT_RULES.global_safety.dry_run).toBe(false);
    expect(Object.isFrozen(DEFAULT_RULES)).toBe(false);
  });

  describe('good partial documents', () => {
    it('deep-merges objects, keeping every key the document leaves out', () => {
      const rules = validateRules({
        global_safety: { max_heals_per_hour: 10, business_hours: { enabled: true, timezone: 'Europe/Berlin' } },
        strategy_limits: { REPLAY_RECENT: { max_deliveries: 10 } },
      });
      expect(rules.global_safety).toEqual({
        ...DEFAULT_RULES.global_safety,
        max_heals_per_hour: 10,
        business_hours: { ...DEFAULT_RULES.global_safety.business_hours, enabled: true, timezone: 'Europe/Berlin' },
      });
      expect(rules.strategy_limits.REPLAY_RECENT).toEqual({ ...DEFAULT_RULES.strategy_limits.REPLAY_RECENT, max_deliveries: 10 });
      expect(rules.strategy_limits.DEFER_AND_MONITOR).toEqual(DEFAULT_RULES.strategy_limits.DEFER_AND_MONITOR);
      expect(rules.detection).toEqual(DEFAULT_RULES.detection);
    });

    it('replaces arrays instead of merging them', () => {
      const rules = validateRules({
        strategy_limits: { REPLAY_RECENT: { allowed_triage_labels: ['rate_limited'] } },
        global_safety: { business_hours: { days: [0, 6] } },
      });
      expect(rules.strategy_limits.REPLAY_RECENT.allowed_triage_labels).toEqual(['rate_limited']);
      expect(rules.global_safety.business_hours.days).toEqual([0, 6]);
    });

    it('merges tenant overrides per tenant, adds new tenants and removes one set to null', () => {
      const rules = validateRules({
        tenant_overrides: {
          'tenant-premium': { max_replays: 60, disabled_strategies: ['RATE_LIMIT_SOURCE'] },
          'tenant-qa': null,
          'acme.eu': { autoheal_enabled: false },
        },
      });
      expect(rules.tenant_overrides).toEqual({
        'tenant-premium': { max_replays: 60, escalation_delay_minutes: 5, disabled_strategies: ['RATE_LIMIT_SOURCE'] },
        'acme.eu': { autoheal_enabled: false },
      });
    });

    it('has the defaults of RECOVER_BACKLOG, approvals and storms', () => {
      const rules = validateRules({});
      expect(rules.strategy_limits.RECOVER_BACKLOG).toEqual({
        probe_interval_seconds: 60,
        drain_concurrency: 4,
        drain_rate_per_second: 20,
        drain_max_consecutive_failures: 5,
        max_backlog_age_hours: 72,
        max_backlog_deliveries: 100_000,
        max_ineffective_attempts: 3,
        allowed_triage_labels: rules.strategy_limits.REPLAY_RECENT.allowed_triage_labels,
        min_confidence: 0.7,
      });
      expect(rules.strategy_priorities.RECOVER_BACKLOG).toBe(6);
      expect(new Set(Object.values(rules.strategy_priorities)).size).toBe(6);
      expect(rules.approvals).toEqual({ ttl_minutes: 60 });
      expect(rules.storm).toEqual({ max_incidents: 20, max_endpoint_share: 0.2, max_concurrent_drains: 5 });
      expect(rules.detection).toMatchObject({ sustained_last_attempts: 5, sustained_failure_ratio: 0.9 });
    });

    it('accepts fractional probe intervals, drain rates, backlog ages and approval TTLs', () => {
      const rules = validateRules({
        strategy_limits: { RECOVER_BACKLOG: { probe_interval_seconds: 0.25, drain_rate_per_second: 0.5, max_backlog_age_hours: 0.01 } },
        approvals: { ttl_minutes: 0.05 },
        tenant_overrides: { t1: { strategy_limits: { RECOVER_BACKLOG: { probe_interval_seconds: 0.1 } } } },
      });
      expect(rules.strategy_limits.RECOVER_BACKLOG).toMatchObject({
        probe_interval_seconds: 0.25,
        drain_rate_per_second: 0.5,
        max_backlog_age_hours: 0.01,
      });
      expect(rules.approvals.ttl_minutes).toBe(0.05);
      expect(rules.tenant_overrides.t1.strategy_limits?.RECOVER_BACKLOG?.probe_interval_seconds).toBe(0.1);
    });

    it('accepts fractional windows so tests can compress time', () => {
      const rules = validateRules({
        strategy_limits: { REPLAY_RECENT: { cooldown_minutes: 0.05, time_window_minutes: 0.5 } },
        detection: { recent_window_minutes: 0.1, baseline_window_minutes: 0.5 },
        cycle: { lock_ttl_seconds: 0.5 },
      });
      expect(rules.strategy_limits.REPLAY_RECENT.cooldown_minutes).toBe(0.05);
      expect(rules.detection.recent_window_minutes).toBe(0.1);
      expect(rules.cycle.lock_ttl_seconds).toBe(0.5);
    });

    it('accepts a complete reordering of strategy priorities', () => {
      const strategy_priorities = {
        RECOVER_BACKLOG: 1,
        REPLAY_RECENT: 2,
        ESCALATE_OPERATOR: 3,
        RATE_LIMIT_SOURCE: 4,
        SILENCE_DUPES: 5,
        DEFER_AND_MONITOR: 6,
      };
      expect(validateRules({ strategy_priorities }).strategy_priorities).toEqual(strategy_priorities);
    });

    it("accepts a reordering of the guide's five strategies, RECOVER_BACKLOG keeping its default slot after them", () => {
      const strategy_priorities = { REPLAY_RECENT: 1, ESCALATE_OPERATOR: 2, RATE_LIMIT_SOURCE: 3, SILENCE_DUPES: 4, DEFER_AND_MONITOR: 5 };
      expect(validateRules({ strategy_priorities }).strategy_priorities).toEqual({ ...strategy_priorities, RECOVER_BACKLOG: 6 });
    });

    it.each([
      [{ global_safety: { min_confidence: 0 } }],
      [{ global_safety: { min_confidence: 1, max_heals_per_hour: 0 } }],
      [{ global_safety: { business_hours: { start_hour: 0, end_hour: 24, days: [0, 1, 2, 3, 4, 5, 6] } } }],
      [{ global_safety: { business_hours: { allow_actions: 'outside', timezone: 'America/New_York' } } }],
      [{ strategy_limits: { REPLAY_RECENT: { allowed_triage_labels: [] } } }],
      [{ strategy_limits: { DEFER_AND_MONITOR: { max_deferrals: 0, alert_after_deferrals: 0 } } }],
      [{ strategy_limits: { ESCALATE_OPERATOR: { priority: 'critical' } } }],
      [{ strategy_limits: { RATE_LIMIT_SOURCE: { throttle_factor: 1 } } }],
      [{ tenant_overrides: { t1: {} } }],
      [{ tenant_overrides: { t1: { escalation_delay_minutes: 0, skip_notifications: false, disabled_strategies: [] } } }],
      [{ detection: { severity_thresholds: { medium: 5, high: 6, critical: 7 } } }],
      [{ detection: { sustained_last_attempts: 2, sustained_failure_ratio: 1 } }],
      [
        {
          strategy_limits: {
            RECOVER_BACKLOG: { allowed_triage_labels: ['transient_endpoint_down', 'rate_limited', 'unknown'], min_confidence: 0 },
          },
        },
      ],
      [{ storm: { max_endpoint_share: 1, max_incidents: 1, max_concurrent_drains: 1 } }],
      [{ global_safety: { require_approval_for_critical: false }, tenant_overrides: { t1: { require_approval_for_critical: true } } }],
      [{ tenant_overrides: { t1: { strategy_limits: {} } } }],
      [{ tenant_overrides: { t1: { strategy_limits: { DEFER_AND_MONITOR: { max_deferrals: 5, alert_after_deferrals: 5 } } } } }],
    ])('accepts %j', (raw) => {
      expect(problemsOf(raw)).toEqual([]);
    });
  });

  describe('bad documents', () => {
    it.each([
      [[], '(root): must be a JSON object (got [])'],
      [null, '(root): must be a JSON object (got null)'],
      ['rules', '(root): must be a JSON object (got "rules")'],
      [{ global_safety: true }, 'global_safety: must be an object (got true)'],
      [{ strategy_limits: [] }, 'strategy_limits: must be an object (got [])'],
      [{ tenant_overrides: null }, 'tenant_overrides: must be an object (got null)'],
      [{ global_safety: { autoheal_enabled: 'yes' } }, 'global_safety.autoheal_enabled: must be true or false (got "yes")'],
      [{ global_safety: { dry_run: null } }, 'global_safety.dry_run: must be true or false (got null)'],
      [{ global_safety: { max_heals_per_hour: -1 } }, 'global_safety.max_heals_per_hour: must be an integer >= 0 (got -1)'],
      [{ global_safety: { max_heals_per_hour: 2.5 } }, 'global_safety.max_heals_per_hour: must be an integer >= 0 (got 2.5)'],
      [{ global_safety: { max_concurrent_heals: 0 } }, 'global_safety.max_concurrent_heals: must be an integer >= 1 (got 0)'],
      [{ global_safety: { max_concurrent_heals: '5' } }, 'global_safety.max_concurrent_heals: must be an integer >= 1 (got "5")'],
      [{ global_safety: { min_confidence: 1.5 } }, 'global_safety.min_confidence: must be a number from 0 to 1 (got 1.5)'],
      [{ global_safety: { min_confidence: -0.1 } }, 'global_safety.min_confidence: must be a number from 0 to 1 (got -0.1)'],
      [
        { global_safety: { business_hours: { start_hour: 25 } } },
        'global_safety.business_hours.start_hour: must be an integer from 0 to 24 (got 25)',
      ],
      [
        { global_safety: { business_hours: { end_hour: 17.5 } } },
        'global_safety.business_hours.end_hour: must be an integer from 0 to 24 (got 17.5)',
      ],
      [
        { global_safety: { business_hours: { days: [1, 7] } } },
        'global_safety.business_hours.days: must be a non-empty list of distinct integers from 0 (Sunday) to 6 (Saturday) (got [1,7])',
      ],
      [
        { global_safety: { business_hours: { days: [] } } },
        'global_safety.business_hours.days: must be a non-empty list of distinct integers from 0 (Sunday) to 6 (Saturday) (got [])',
      ],
      [
        { global_safety: { business_hours: { days: [1, 1] } } },
        'global_safety.business_hours.days: must be a non-empty list of distinct integers from 0 (Sunday) to 6 (Saturday) (got [1,1])',
      ],
      [
        { global_safety: { business_hours: { timezone: 'Mars/Olympus' } } },
        'global_safety.business_hours.timezone: must be a valid IANA timezone such as "Europe/Berlin" (got "Mars/Olympus")',
      ],
      [
        { global_safety: { business_hours: { timezone: '' } } },
        'global_safety.business_hours.timezone: must be a valid IANA timezone such as "Europe/Berlin" (got "")',
      ],
      [
        { global_safety: { business_hours: { allow_actions: 'always' } } },
        'global_safety.business_hours.allow_actions: must be one of inside, outside (got "always")',
      ],
      [
        { global_safety: { business_hours: { start_hour: 17, end_hour: 9 } } },
        'global_safety.business_hours.end_hour: must be greater than start_hour (got 17 to ' +
          '9); for a window across midnight give the daytime hours with allow_actions "outside"',
      ],
      [
        { strategy_limits: { REPLAY_RECENT: { max_deliveries: -3 } } },
        'strategy_limits.REPLAY_RECENT.max_deliveries: must be an integer >= 1 (got -3)',
      ],
      [
        { strategy_limits: { REPLAY_RECENT: { max_deliveries: 0 } } },
        'strategy_limits.REPLAY_RECENT.max_deliveries: must be an integer >= 1 (got 0)',
      ],
      [
        { strategy_limits: { REPLAY_RECENT: { time_window_minutes: 0 } } },
        'strategy_limits.REPLAY_RECENT.time_window_minutes: must be a number > 0 (got 0)',
      ],
      [
        { strategy_limits: { REPLAY_RECENT: { min_confidence: 70 } } },
        'strategy_limits.REPLAY_RECENT.min_confidence: must be a number from 0 to 1 (got 70)',
      ],
      [
        { strategy_limits: { REPLAY_RECENT: { cooldown_minutes: -1 } } },
        'strategy_limits.REPLAY_RECENT.cooldown_minutes: must be a number >= 0 (got -1)',
      ],
      [
        { strategy_limits: { REPLAY_RECENT: { allowed_triage_labels: ['transient', 'rate_limited'] } } },
        'strategy_limits.REPLAY_RECENT.allowed_triage_labels: must be a list of distinct triage labels ' +
          '(transient_endpoint_down, rate_limited, invalid_payload, permanent_4xx, unknown) (got ["transient","rate_limited"])',
      ],
      [
        { strategy_limits: { REPLAY_RECENT: { allowed_triage_labels: 'rate_limited' } } },
        'strategy_limits.REPLAY_RECENT.allowed_triage_labels: must be a list of distinct triage labels ' +
          '(transient_endpoint_down, rate_limited, invalid_payload, permanent_4xx, unknown) (got "rate_limited")',
      ],
      [
        { strategy_limits: { REPLAY_RECENT: { max_delivery: 10 } } },
        'strategy_limits.REPLAY_RECENT.max_delivery: unknown key (expected one of: max_deliveries, ' +
          'time_window_minutes, min_confidence, cooldown_minutes, allowed_triage_labels)',
      ],
      [
        { strategy_limits: { ESCALATE_OPERATOR: { max_deliveries: 10 } } },
        'strategy_limits.ESCALATE_OPERATOR.max_deliveries: unknown key (expected one of: priority, min_confidence, cooldown_minutes)',
      ],
      [
        { strategy_limits: { REPLAY: {} } },
        'strategy_limits.REPLAY: unknown key (expected one of: REPLAY_RECENT, DEFER_AND_MONITOR, ' +
          'ESCALATE_OPERATOR, RATE_LIMIT_SOURCE, SILENCE_DUPES, RECOVER_BACKLOG)',
      ],
      [
        { strategy_limits: { DEFER_AND_MONITOR: { recheck_delay_seconds: 0 } } },
        'strategy_limits.DEFER_AND_MONITOR.recheck_delay_seconds: must be a number > 0 (got 0)',
      ],
      [
        { strategy_limits: { DEFER_AND_MONITOR: { max_deferrals: 1.5 } } },
        'strategy_limits.DEFER_AND_MONITOR.max_deferrals: must be an integer >= 0 (got 1.5)',
      ],
      [
        { strategy_limits: { DEFER_AND_MONITOR: { alert_after_deferrals: 4 } } },
        'strategy_limits.DEFER_AND_MONITOR.alert_after_deferrals: must be <= max_deferrals (got 4 > 3)',
      ],
      [
        { strategy_limits: { DEFER_AND_MONITOR: { max_deferrals: -1, alert_after_deferrals: 2 } } },
        'strategy_limits.DEFER_AND_MONITOR.max_deferrals: must be an integer >= 0 (got -1)',
      ],
      [{ cycle: { lock_ttl_seconds: undefined } }, 'cycle.lock_ttl_seconds: is required'],
      [
        { strategy_limits: { ESCALATE_OPERATOR: { priority: 'urgent' } } },
        'strategy_limits.ESCALATE_OPERATOR.priority: must be one of low, medium, high, critical (got "urgent")',
      ],
      [
        { strategy_limits: { RATE_LIMIT_SOURCE: { throttle_factor: 0 } } },
        'strategy_limits.RATE_LIMIT_SOURCE.throttle_factor: must be a number > 0 and <= 1 (got 0)',
      ],
      [
        { strategy_limits: { RATE_LIMIT_SOURCE: { duration_minutes: -30 } } },
        'strategy_limits.RATE_LIMIT_SOURCE.duration_minutes: must be a number > 0 (got -30)',
      ],
      [
        { strategy_limits: { SILENCE_DUPES: { max_occurrences: 0 } } },
        'strategy_limits.SILENCE_DUPES.max_occurrences: must be an integer >= 1 (got 0)',
      ],
      [
        { strategy_limits: { SILENCE_DUPES: { dedup_window_seconds: 'PT5M' } } },
        'strategy_limits.SILENCE_DUPES.dedup_window_seconds: must be a number > 0 (got "PT5M")',
      ],
      [{ strategy_priorities: { REPLAY_RECENT: 0 } }, 'strategy_priorities.REPLAY_RECENT: must be an integer >= 1 (got 0)'],
      [
        { strategy_priorities: { REPLAY_RECENT: 1 } },
        'strategy_priorities: must be distinct (got 1 for REPLAY_RECENT and ESCALATE_OPERATOR)',
      ],
      [
        { strategy_priorities: { CANARY: 6 } },
        'strategy_priorities.CANARY: unknown key (expected one of: REPLAY_RECENT, ' +
          'DEFER_AND_MONITOR, ESCALATE_OPERATOR, RATE_LIMIT_SOURCE, SILENCE_DUPES, RECOVER_BACKLOG)',
      ],
      [{ tenant_overrides: { t1: { max_replays: 0 } } }, 'tenant_overrides.t1.max_replays: must be an integer >= 1 (got 0)'],
      [
        { tenant_overrides: { 'acme.eu': { max_replays: -1 } } },
        'tenant_overrides["acme.eu"].max_replays: must be an integer >= 1 (got -1)',
      ],
      [
        { tenant_overrides: { t1: { escalation_delay_minutes: -5 } } },
        'tenant_overrides.t1.escalation_delay_minutes: must be a number >= 0 (got -5)',
      ],
      [
        { tenant_overrides: { t1: { skip_notifications: 'true' } } },
        'tenant_overrides.t1.skip_notifications: must be true or false (got "true")',
      ],
      [{ tenant_overrides: { t1: { autoheal_enabled: 0 } } }, 'tenant_overrides.t1.autoheal_enabled: must be true or false (got 0)'],
      [
        { tenant_overrides: { t1: { disabled_strategies: ['REPLAY'] } } },
        'tenant_overrides.t1.disabled_strategies: must be a list of distinct strategies (REPLAY_RECENT, ' +
          'DEFER_AND_MONITOR, ESCALATE_OPERATOR, RATE_LIMIT_SOURCE, SILENCE_DUPES, RECOVER_BACKLOG) (got ["REPLAY"])',
      ],
      [
        { tenant_overrides: { t1: { max_replay: 5 } } },
        'tenant_overrides.t1.max_replay: unknown key (expected one of: max_replays, escalation_delay_minutes, ' +
          'skip_notifications, disabled_strategies, autoheal_enabled, require_approval_for_critical, strategy_limits)',
      ],
      [{ tenant_overrides: { t1: 50 } }, 'tenant_overrides.t1: must be an object (got 50)'],
      [{ tenant_overrides: { '': {} } }, 'tenant_overrides: keys must be non-empty (got "")'],
      [{ detection: { recent_window_minutes: 0 } }, 'detection.recent_window_minutes: must be a number > 0 (got 0)'],
      [
        { detection: { recent_window_minutes: 60 } },
        'detection.recent_window_minutes: must be less than detection.baseline_window_minutes (got 60 >= 60)',
      ],
      [
        { detection: { baseline_window_minutes: 3 } },
        'detection.recent_window_minutes: must be less than detection.baseline_window_minutes (got 5 >= 3)',
      ],
      [{ detection: { min_failures: 0 } }, 'detection.min_failures: must be an integer >= 1 (got 0)'],
      [{ detection: { min_failure_rate: 2 } }, 'detection.min_failure_rate: must be a number from 0 to 1 (got 2)'],
      [{ detection: { baseline_multiplier: 0.5 } }, 'detection.baseline_multiplier: must be a number >= 1 (got 0.5)'],
      [{ detection: { traffic_spike_ratio: 'x3' } }, 'detection.traffic_spike_ratio: must be a number >= 1 (got "x3")'],
      [{ detection: { traffic_spike_min_deliveries: 0 } }, 'detection.traffic_spike_min_deliveries: must be an integer >= 1 (got 0)'],
      [
        { detection: { severity_thresholds: { high: 200 } } },
        'detection.severity_thresholds: must satisfy medium < high < critical (got 10, 200, 100)',
      ],
      [
        { detection: { severity_thresholds: { low: 1 } } },
        'detection.severity_thresholds.low: unknown key (expected one of: medium, high, critical)',
      ],
      [{ cycle: { lock_ttl_seconds: 0 } }, 'cycle.lock_ttl_seconds: must be a number > 0 (got 0)'],
      [
        { strategy_limits: { RECOVER_BACKLOG: { probe_interval_seconds: 0 } } },
        'strategy_limits.RECOVER_BACKLOG.probe_interval_seconds: must be a number > 0 (got 0)',
      ],
      [
        { strategy_limits: { RECOVER_BACKLOG: { drain_concurrency: 2.5 } } },
        'strategy_limits.RECOVER_BACKLOG.drain_concurrency: must be an integer >= 1 (got 2.5)',
      ],
      [
        { strategy_limits: { RECOVER_BACKLOG: { drain_rate_per_second: -1 } } },
        'strategy_limits.RECOVER_BACKLOG.drain_rate_per_second: must be a number > 0 (got -1)',
      ],
      [
        { strategy_limits: { RECOVER_BACKLOG: { drain_max_consecutive_failures: 0 } } },
        'strategy_limits.RECOVER_BACKLOG.drain_max_consecutive_failures: must be an integer >= 1 (got 0)',
      ],
      [
        { strategy_limits: { RECOVER_BACKLOG: { max_backlog_age_hours: 0 } } },
        'strategy_limits.RECOVER_BACKLOG.max_backlog_age_hours: must be a number > 0 (got 0)',
      ],
      [
        { strategy_limits: { RECOVER_BACKLOG: { max_backlog_deliveries: '100k' } } },
        'strategy_limits.RECOVER_BACKLOG.max_backlog_deliveries: must be an integer >= 1 (got "100k")',
      ],
      [
        { strategy_limits: { RECOVER_BACKLOG: { max_ineffective_attempts: 0 } } },
        'strategy_limits.RECOVER_BACKLOG.max_ineffective_attempts: must be an integer >= 1 (got 0)',
      ],
      [
        { strategy_limits: { RECOVER_BACKLOG: { min_confidence: 1.2 } } },
        'strategy_limits.RECOVER_BACKLOG.min_confidence: must be a number from 0 to 1 (got 1.2)',
      ],
      [
        { strategy_limits: { RECOVER_BACKLOG: { allowed_triage_labels: ['down'] } } },
        'strategy_limits.RECOVER_BACKLOG.allowed_triage_labels: must be a list of distinct triage labels ' +
          '(transient_endpoint_down, rate_limited, invalid_payload, permanent_4xx, unknown) (got ["down"])',
      ],
      [
        { strategy_limits: { RECOVER_BACKLOG: { cooldown_minutes: 5 } } },
        'strategy_limits.RECOVER_BACKLOG.cooldown_minutes: unknown key (expected ' +
          'one of: probe_interval_seconds, drain_concurrency, drain_rate_per_second, ' +
          'drain_max_consecutive_failures, max_backlog_age_hours, max_backlog_deliveries, ' +
          'max_ineffective_attempts, allowed_triage_labels, min_confidence)',
      ],
      [
        { strategy_priorities: { RECOVER_BACKLOG: 1 } },
        'strategy_priorities: must be distinct (got 1 for ESCALATE_OPERATOR and RECOVER_BACKLOG)',
      ],
      [{ detection: { sustained_last_attempts: 1 } }, 'detection.sustained_last_attempts: must be an integer >= 2 (got 1)'],
      [{ detection: { sustained_failure_ratio: 0 } }, 'detection.sustained_failure_ratio: must be a number > 0 and <= 1 (got 0)'],
      [{ detection: { sustained_failure_ratio: 90 } }, 'detection.sustained_failure_ratio: must be a number > 0 and <= 1 (got 90)'],
      [{ approvals: null }, 'approvals: must be an object (got null)'],
      [{ approvals: { ttl_minutes: 0 } }, 'approvals.ttl_minutes: must be a number > 0 (got 0)'],
      [{ approvals: { ttl: 5 } }, 'approvals.ttl: unknown key (expected one of: ttl_minutes)'],
      [{ storm: { max_incidents: 0 } }, 'storm.max_incidents: must be an integer >= 1 (got 0)'],
      [{ storm: { max_endpoint_share: 20 } }, 'storm.max_endpoint_share: must be a number > 0 and <= 1 (got 20)'],
      [{ storm: { max_concurrent_drains: 'five' } }, 'storm.max_concurrent_drains: must be an integer >= 1 (got "five")'],
      [
        { storm: { max_drains: 5 } },
        'storm.max_drains: unknown key (expected one of: max_incidents, max_endpoint_share, max_concurrent_drains)',
      ],
      [
        { tenant_overrides: { t1: { require_approval_for_critical: 'no' } } },
        'tenant_overrides.t1.require_approval_for_critical: must be true or false (got "no")',
      ],
      [
        { tenant_overrides: { t1: { strategy_limits: { RECOVER_BACKLOG: { drain_concurrency: 0 } } } } },
        'tenant_overrides.t1.strategy_limits.RECOVER_BACKLOG.drain_concurrency: must be an integer >= 1 (got 0)',
      ],
      [
        { tenant_overrides: { t1: { strategy_limits: { RECOVER_BACKLOG: { max_deliveries: 10 } } } } },
        'tenant_overrides.t1.strategy_limits.RECOVER_BACKLOG.max_deliveries: ' +
          'unknown key (expected one of: probe_interval_seconds, drain_concurrency, ' +
          'drain_rate_per_second, drain_max_consecutive_failures, ' +
          'max_backlog_age_hours, max_backlog_deliveries, max_ineffective_attempts, ' +
          'allowed_triage_labels, min_confidence)',
      ],
      [
        { tenant_overrides: { t1: { strategy_limits: { RECOVER: {} } } } },
        'tenant_overrides.t1.strategy_limits.RECOVER: unknown key (expected one of: REPLAY_RECENT, DEFER_AND_MONITOR, ESCALATE_OPERATOR, ' +
          'RATE_LIMIT_SOURCE, SILENCE_DUPES, RECOVER_BACKLOG)',
      ],
      [
        { tenant_overrides: { t1: { strategy_limits: { DEFER_AND_MONITOR: { alert_after_deferrals: 5 } } } } },
        'tenant_overrides.t1.strategy_limits.DEFER_AND_MONITOR.alert_after_deferrals: must be <= max_deferrals (got 5 > 3)',
      ],
      [{ cycle: { slot_ttl_seconds: -1 } }, 'cycle.slot_ttl_seconds: must be a number > 0 (got -1)'],
      [{ cycle: { abandon_pending_after_seconds: null } }, 'cycle.abandon_pending_after_seconds: must be a number > 0 (got null)'],
      [
        { globalSafety: {} },
        'globalSafety: unknown key (expected one of: global_safety, strategy_limits, ' +
          'strategy_priorities, tenant_overrides, detection, cycle, approvals, storm)',
      ],
      [
        JSON.parse('{"__proto__": {"autoheal_enabled": false}}'),
        '__proto__: unknown key (expected one of: global_safety, strategy_limits, ' +
          'strategy_priorities, tenant_overrides, detection, cycle, approvals, storm)',
      ],
      [
        { tenant_overrides: { t1: { constructor: 1 } } },
        'tenant_overrides.t1.constructor: unknown key (expected one of: max_replays, escalation_delay_minutes, ' +
          'skip_notifications, disabled_strategies, autoheal_enabled, require_approval_for_critical, strategy_limits)',
      ],
      [
        { cycle: { toString: 1 } },
        'cycle.toString: unknown key (expected one of: lock_ttl_seconds, slot_ttl_seconds, abandon_pending_after_seconds)',
      ],
    ])('rejects %j', (raw, problem) => {
      expect(problemsOf(raw)).toEqual([problem]);
    });

    it('reports every bad key at once', () => {
      const problems = problemsOf({
        global_safety: { dry_run: 'no', max_concurrent_heals: 0 },
        strategy_limits: { REPLAY_RECENT: { max_deliveries: -3 } },
        typo: 1,
      });
      expect(problems.map((p) => p.split(':')[0])).toEqual([
        'typo',
        'global_safety.dry_run',
        'global_safety.max_concurrent_heals',
        'strategy_limits.REPLAY_RECENT.max_deliveries',
      ]);
    });

    it('reports every bad new key on its own line, by key path', () => {
      const problems = problemsOf({
        strategy_limits: { RECOVER_BACKLOG: { probe_interval_seconds: -1, drain_concurrency: 0 } },
        approvals: { ttl_minutes: 'PT1H' },
        storm: { max_endpoint_share: 0 },
        tenant_overrides: { t1: { require_approval_for_critical: 1, strategy_limits: { RECOVER_BACKLOG: { max_backlog_deliveries: 0 } } } },
      });
      expect(problems).toEqual([
        'strategy_limits.RECOVER_BACKLOG.probe_interval_seconds: must be a number > 0 (got -1)',
        'strategy_limits.RECOVER_BACKLOG.drain_concurrency: must be an integer >= 1 (got 0)',
        'tenant_overrides.t1.require_approval_for_critical: must be true or false (got 1)',
        'tenant_overrides.t1.strategy_limits.RECOVER_BACKLOG.max_backlog_deliveries: must be an integer >= 1 (got 0)',
        'approvals.ttl_minutes: must be a number > 0 (got "PT1H")',
        'storm.max_endpoint_share: must be a number > 0 and <= 1 (got 0)',
      ]);
    });

    it('throws an error whose message lists the problems', () => {
      expect(() => validateRules({ global_safety: { min_confidence: 2 } })).toThrow(
        'Invalid auto-heal rules:\n  - global_safety.min_confidence: must be a number from 0 to 1 (got 2)',
      );
    });

    it('shortens very long values in messages', () => {
      const [problem] = problemsOf({ global_safety: { business_hours: { timezone: 'x'.repeat(200) } } });
      expect(problem.length).toBeLessThan(160);
      expect(problem).toMatch(/\.\.\.\)$/);
    });
  });
});
