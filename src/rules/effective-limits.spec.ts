import { effectiveLimits, requiresApprovalForCritical } from './effective-limits';
import { DEFAULT_RULES } from './rules.defaults';
import { validateRules } from './rules.validation';

describe('effectiveLimits', () => {
  const rules = validateRules({
    tenant_overrides: {
      't-off': { autoheal_enabled: false, disabled_strategies: ['REPLAY_RECENT', 'SILENCE_DUPES'] },
    },
  });

  it('gives the strategy limits and permissive tenant defaults for a tenant without an override', () => {
    expect(effectiveLimits(rules, 'REPLAY_RECENT', 'tenant-123')).toEqual({
      ...DEFAULT_RULES.strategy_limits.REPLAY_RECENT,
      strategy: 'REPLAY_RECENT',
      tenant_id: 'tenant-123',
      autoheal_enabled: true,
      strategy_allowed: true,
      disabled_strategies: [],
      escalation_delay_minutes: 0,
      skip_notifications: false,
    });
  });

  it.each([
    ['tenant-premium', 'REPLAY_RECENT', { max_deliveries: 50, escalation_delay_minutes: 5, skip_notifications: false }],
    ['tenant-qa', 'REPLAY_RECENT', { max_deliveries: 100, skip_notifications: true }],
    ['tenant-qa', 'ESCALATE_OPERATOR', { priority: 'high', skip_notifications: true }],
    ['tenant-premium', 'ESCALATE_OPERATOR', { escalation_delay_minutes: 5 }],
    [
      't-off',
      'REPLAY_RECENT',
      { autoheal_enabled: false, strategy_allowed: false, disabled_strategies: ['REPLAY_RECENT', 'SILENCE_DUPES'] },
    ],
    ['t-off', 'ESCALATE_OPERATOR', { autoheal_enabled: false, strategy_allowed: true }],
    ['t-off', 'SILENCE_DUPES', { strategy_allowed: false }],
  ] as const)('%s / %s → %j', (tenant, strategy, expected) => {
    expect(effectiveLimits(rules, strategy, tenant)).toMatchObject(expected);
  });

  it('applies max_replays to REPLAY_RECENT only', () => {
    expect(effectiveLimits(rules, 'ESCALATE_OPERATOR', 'tenant-premium')).not.toHaveProperty('max_deliveries');
    expect(effectiveLimits(rules, 'DEFER_AND_MONITOR', 'tenant-qa')).toMatchObject({ max_deferrals: 3, recheck_delay_seconds: 120 });
  });

  it('does not treat inherited object properties as tenants', () => {
    expect(effectiveLimits(rules, 'REPLAY_RECENT', 'constructor')).toMatchObject({ max_deliveries: 25, autoheal_enabled: true });
  });

  it('returns a copy the caller may change without touching the rules', () => {
    const limits = effectiveLimits(rules, 'REPLAY_RECENT', 'tenant-premium');
    limits.allowed_triage_labels?.push('unknown');
    limits.disabled_strategies.push('REPLAY_RECENT');
    expect(rules.strategy_limits.REPLAY_RECENT.allowed_triage_labels).toEqual(['transient_endpoint_down', 'rate_limited']);
    expect(effectiveLimits(rules, 'REPLAY_RECENT', 'tenant-premium').strategy_allowed).toBe(true);
  });

  describe('tenant strategy_limits', () => {
    const tuned = validateRules({
      strategy_limits: { RECOVER_BACKLOG: { drain_rate_per_second: 10 } },
      tenant_overrides: {
        'tenant-premium': { strategy_limits: { REPLAY_RECENT: { max_deliveries: 70 } } },
        't-slow': { strategy_limits: { RECOVER_BACKLOG: { drain_concurrency: 1, probe_interval_seconds: 0.5 } } },
      },
    });

    it('override RECOVER_BACKLOG limits for that tenant only, keeping the rest global', () => {
      expect(effectiveLimits(tuned, 'RECOVER_BACKLOG', 't-slow')).toMatchObject({
        drain_concurrency: 1,
        probe_interval_seconds: 0.5,
        drain_rate_per_second: 10,
        max_backlog_deliveries: 100_000,
        strategy_allowed: true,
      });
      expect(effectiveLimits(tuned, 'RECOVER_BACKLOG', 'tenant-123')).toMatchObject({ drain_concurrency: 4, probe_interval_seconds: 60 });
      expect(effectiveLimits(tuned, 'REPLAY_RECENT', 't-slow')).not.toHaveProperty('drain_concurrency');
    });

    it('win over max_replays, the less specific of the two', () => {
      expect(effectiveLimits(tuned, 'REPLAY_RECENT', 'tenant-premium').max_deliveries).toBe(70);
    });
  });

  describe('requiresApprovalForCritical', () => {
    it.each([
      [true, undefined, true],
      [true, false, false],
      [false, undefined, false],
      [false, true, true],
    ])('global %s, tenant %s → %s', (global, tenant, expected) => {
      const configured = validateRules({
        global_safety: { require_approval_for_critical: global },
        tenant_overrides: { t1: tenant === undefined ? {} : { require_approval_for_critical: tenant } },
      });
      expect(requiresApprovalForCritical(configured, 't1')).toBe(expected);
      expect(requiresApprovalForCritical(configured, 'tenant-without-override')).toBe(global);
    });
  });
});
