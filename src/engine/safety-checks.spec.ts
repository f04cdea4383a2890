import type { Incident } from '../anomalies/incident';
import { RuleBasedPredictor } from '../predictors/rule-based-predictor.adapter';
import { effectiveLimits } from '../rules/effective-limits';
import { DEFAULT_RULES } from '../rules/rules.defaults';
import { validateRules } from '../rules/rules.validation';
import type { AutohealRules, Strategy } from '../rules/rules.types';
import { businessHoursProblem, runSafetyChecks, SAFETY_CHECKS, SafetyFacts, selectReplayCandidates } from './safety-checks';

const NOW = new Date('2026-11-25T12:00:00Z'); // a Wednesday, noon UTC
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

const incident: Incident = {
  tenant_id: 'tenant-123',
  endpoint: 'https://api.example.com/webhook',
  kind: 'failure_burst',
  severity: 'medium',
  failures: 12,
  total_recent: 14,
  total_baseline: 100,
  failures_baseline: 2,
  failure_rate: 0.86,
  baseline_failure_rate: 0.02,
  traffic_ratio: 1.2,
  triage_distribution: { transient_endpoint_down: 12 },
  most_common_error: '503 Service Unavailable',
  detected_at: NOW.toISOString(),
};

function facts(overrides: Partial<SafetyFacts> = {}, rules: AutohealRules = DEFAULT_RULES): SafetyFacts {
  const strategy: Strategy = overrides.strategy ?? 'REPLAY_RECENT';
  const tenant = overrides.incident?.tenant_id ?? incident.tenant_id;
  return {
    predictor: new RuleBasedPredictor(),
    now: NOW,
    rules,
    incident,
    strategy,
    probability: 0.82,
    limits: effectiveLimits(rules, strategy, tenant),
    killSwitch: { enabled: true },
    coordinationProblem: null,
    maintenance: null,
    lastHealedAt: null,
    eligibleDeliveries: 12,
    recentFailures: 12,
    firstSeenAt: minutesAgo(30),
    healsThisHour: 0,
    ...overrides,
  };
}

const rulesWith = (patch: object) => validateRules(patch);

describe('runSafetyChecks', () => {
  it('lets a healthy replay through', () => {
    expect(runSafetyChecks(facts())).toEqual({ allowed: true });
  });

  it("runs the guide's checks in the guide's order", () => {
    expect(SAFETY_CHECKS.map(([name]) => name)).toEqual([
      'coordination',
      'kill_switch',
      'severity',
      'confidence',
      'maintenance',
      'cooldown',
      'business_hours',
      'strategy_limits',
      'tenant_policy',
      'throttle_approval',
      'hourly_cap',
    ]);
  });

  // Each row tries to sneak one action past one check; the check must stop it with a readable reason.
  it.each<[string, Partial<SafetyFacts>, AutohealRules | undefined, string, RegExp]>([
    [
      'Redis unreachable',
      { coordinationProblem: 'connect ECONNREFUSED 127.0.0.1:6379' },
      undefined,
      'coordination',
      /^Coordination store unreachable \(connect ECONNREFUSED.*\): no action taken$/,
    ],
    [
      'kill switch off',
      { killSwitch: { enabled: false, reason: 'incident 42' } },
      undefined,
      'kill_switch',
      /^Auto-healing disabled by the global kill switch \(incident 42\)$/,
    ],
    [
      'tenant switched off',
      { incident: { ...incident, tenant_id: 'tenant-off' } },
      rulesWith({ tenant_overrides: { 'tenant-off': { autoheal_enabled: false } } }),
      'kill_switch',
      /disabled for tenant tenant-off/,
    ],
    [
      'critical replay',
      { incident: { ...incident, severity: 'critical' } },
      undefined,
      'severity',
      /^Critical incident requires operator approval/,
    ],
    [
      'critical deferral',
      { incident: { ...incident, severity: 'critical' }, strategy: 'DEFER_AND_MONITOR' },
      undefined,
      'severity',
      /\(DEFER_AND_MONITOR not applied automatically\)/,
    ],
    ['below the global floor', { probability: 0.45 }, undefined, 'confidence', /^Confidence 0\.45 below global minimum 0\.50$/],
    ['below the strategy minimum', { probability: 0.62 }, undefined, 'confidence', /^Confidence 0\.62 below REPLAY_RECENT minimum 0\.70$/],
    [
      'endpoint in maintenance',
      { maintenance: { until: new Date(NOW.getTime() + 60_000), reason: 'deploy' } },
      undefined,
      'maintenance',
      /^Endpoint in maintenance mode \(deploy\) until/,
    ],
    [
      'escalation during maintenance',
      { strategy: 'ESCALATE_OPERATOR', probability: 0.9, maintenance: { until: new Date(NOW.getTime() + 60_000), reason: null } },
      undefined,
      'maintenance',
      /^Endpoint in maintenance mode until/,
    ],
    [
      'healed 2.3 minutes ago',
      { lastHealedAt: new Date(NOW.getTime() - 138_000) },
      undefined,
      'cooldown',
      /^Cooldown active \(2\.3m < 5m\)$/,
    ],
    [
      'off hours',
      {},
      rulesWith({ global_safety: { business_hours: { enabled: true, start_hour: 13, end_hour: 17 } } }),
      'business_hours',
      /^Outside business hours \(13:00-17:00 UTC\)/,
    ],
    [
      'inside hours when only off-hours allowed',
      {},
      rulesWith({ global_safety: { business_hours: { enabled: true, start_hour: 9, end_hour: 17, allow_actions: 'outside' } } }),
      'business_hours',
      /^Inside business hours/,
    ],
    [
      'nothing in the time window',
      { recentFailures: 0, eligibleDeliveries: 0 },
      undefined,
      'strategy_limits',
      /^No failed deliveries in the last 10 minutes/,
    ],
    [
      'only non-replayable labels',
      { recentFailures: 12, eligibleDeliveries: 0 },
      undefined,
      'strategy_limits',
      /none of 12 recent failures has an allowed triage label \(transient_endpoint_down, rate_limited\)/,
    ],
    [
      'batch above max_deliveries',
      { incident: { ...incident, failures: 26 } },
      undefined,
      'strategy_limits',
      /26 failures, above the 25-delivery replay limit/,
    ],
    [
      'strategy disabled for tenant',
      {},
      rulesWith({ tenant_overrides: { 'tenant-123': { disabled_strategies: ['REPLAY_RECENT'] } } }),
      'tenant_policy',
      /^Tenant tenant-123 does not allow REPLAY_RECENT$/,
    ],
    [
      'escalation before the tenant delay',
      { strategy: 'ESCALATE_OPERATOR', probability: 0.9, firstSeenAt: minutesAgo(2) },
      rulesWith({ tenant_overrides: { 'tenant-123': { escalation_delay_minutes: 5 } } }),
      'tenant_policy',
      /^Escalation delayed by tenant policy \(2m < 5m\)$/,
    ],
    ['hourly cap reached', { healsThisHour: 100 }, undefined, 'hourly_cap', /^Hourly heal cap reached \(100\/100 this hour\)$/],
  ])('stops %s', (_, overrides, rules, check, reason) => {
    const verdict = runSafetyChecks(facts(overrides, rules));
    expect(verdict).toEqual({ allowed: false, check, reason: expect.stringMatching(reason) });
  });

  it('reports the first failing check when several fail', () => {
    const verdict = runSafetyChecks(facts({ killSwitch: { enabled: false }, probability: 0.1, healsThisHour: 1000 }));
    expect(verdict).toMatchObject({ allowed: false, check: 'kill_switch' });
  });

  it.each<[string, Partial<SafetyFacts>]>([
    [
      'a critical incident is escalated',
      { strategy: 'ESCALATE_OPERATOR', probability: 0.9, incident: { ...incident, severity: 'critical' } },
    ],
    ['escalation ignores cooldowns', { strategy: 'ESCALATE_OPERATOR', probability: 0.9, lastHealedAt: minutesAgo(1) }],
    ['escalation ignores the hourly heal cap', { strategy: 'ESCALATE_OPERATOR', probability: 0.9, healsThisHour: 500 }],
    ['deferral ignores business hours', { strategy: 'DEFER_AND_MONITOR', probability: 0.6 }],
    ['an expired cooldown', { lastHealedAt: minutesAgo(5) }],
    ['an expired maintenance window', { maintenance: { until: minutesAgo(1), reason: 'done' } }],
    ['escalation after the tenant delay', { strategy: 'ESCALATE_OPERATOR', probability: 0.9, firstSeenAt: minutesAgo(6) }],
    [
      'a critical escalation within the tenant delay',
      { strategy: 'ESCALATE_OPERATOR', probability: 0.9, firstSeenAt: minutesAgo(1), incident: { ...incident, severity: 'critical' } },
    ],
  ])('allows: %s', (_, overrides) => {
    const rules = rulesWith({
      tenant_overrides: { 'tenant-123': { escalation_delay_minutes: 5 } },
      global_safety: { business_hours: { enabled: true, start_hour: 13, end_hour: 17 } },
    });
    const f = facts(overrides, rules);
    if (overrides.strategy === undefined) f.rules = DEFAULT_RULES;
    expect(runSafetyChecks(f)).toEqual({ allowed: true });
  });
});

describe('businessHoursProblem', () => {
  const hours = {
    enabled: true,
    start_hour: 9,
    end_hour: 17,
    days: [1, 2, 3, 4, 5],
    timezone: 'America/New_York',
    allow_actions: 'inside' as const,
  };

  it.each([
    ['2026-11-25T14:00:00Z', null], // Wed 09:00 in New York
    ['2026-11-25T13:59:00Z', 'Outside'], // Wed 08:59
    ['2026-11-25T22:00:00Z', 'Outside'], // Wed 17:00
    ['2026-11-28T15:00:00Z', 'Outside'], // Saturday
  ])('at %s', (at, expected) => {
    const problem = businessHoursProblem(hours, new Date(at));
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(new RegExp(`^${expected} business hours \\(9:00-17:00 America/New_York\\)`));
  });

  it('is silent when disabled', () => {
    expect(businessHoursProblem({ ...hours, enabled: false }, new Date('2026-11-28T15:00:00Z'))).toBeNull();
  });
});

describe('selectReplayCandidates', () => {
  const delivery = (id: string, minutesOld: number, label: string | null) => ({
    id,
    created_at: minutesAgo(minutesOld),
    triage_label: label,
  });
  const limits = effectiveLimits(DEFAULT_RULES, 'REPLAY_RECENT', 'tenant-123');

  it('keeps the time window and allowed labels, newest first, at most max_deliveries', () => {
    const failures = [
      ...Array.from({ length: 30 }, (_, i) => delivery(`t${i}`, i * 0.1, 'transient_endpoint_down')),
      delivery('rate', 4, 'rate_limited'),
      delivery('bad', 1, 'invalid_payload'),
      delivery('gone', 2, 'permanent_4xx'),
      delivery('old', 11, 'transient_endpoint_down'),
      delivery('unlabelled', 1, null),
    ];
    const selection = selectReplayCandidates(failures, limits, NOW);
    expect(selection.recent).toHaveLength(34);
    expect(selection.eligible).toBe(31);
    expect(selection.selected).toHaveLength(25);
    expect(selection.selected.map((d) => d.id)).not.toEqual(expect.arrayContaining(['bad', 'gone', 'old', 'unlabelled']));
  });

  it("takes a tenant's max_replays instead of the default cap", () => {
    const premium = effectiveLimits(DEFAULT_RULES, 'REPLAY_RECENT', 'tenant-premium');
    const failures = Array.from({ length: 60 }, (_, i) => delivery(`t${i}`, i * 0.1, 'transient_endpoint_down'));
    expect(selectReplayCandidates(failures, premium, NOW).selected).toHaveLength(50);
  });
});

describe('the safety table holds RATE_LIMIT_SOURCE and SILENCE_DUPES too', () => {
  const flooding: Incident = { ...incident, flooding_tenant: incident.tenant_id, tenant_failure_share: 0.8, tenant_traffic_ratio: 5 };
  const duplicated: Incident = { ...incident, error_signature: { signature: 'timeout', count: 19, sampled: 20, share: 0.95 } };
  const rateLimit = (overrides: Partial<SafetyFacts> = {}, rules: AutohealRules = DEFAULT_RULES) =>
    facts({ strategy: 'RATE_LIMIT_SOURCE', incident: flooding, probability: 0.8, ...overrides }, rules);
  const silence = (overrides: Partial<SafetyFacts> = {}, rules: AutohealRules = DEFAULT_RULES) =>
    facts({ strategy: 'SILENCE_DUPES', incident: duplicated, probability: 0.8, ...overrides }, rules);

  it('lets a flood throttle and a duplicate silence through within the limits', () => {
    expect(runSafetyChecks(rateLimit())).toEqual({ allowed: true });
    expect(runSafetyChecks(silence())).toEqual({ allowed: true });
  });

  it('refuses to throttle without a flooding tenant named by detection, or one that is not the incident tenant', () => {
    expect(runSafetyChecks(rateLimit({ incident }))).toMatchObject({
      allowed: false,
      check: 'strategy_limits',
      reason: /No flooding tenant/,
    });
    expect(runSafetyChecks(rateLimit({ incident: { ...flooding, flooding_tenant: 'other' } }))).toMatchObject({
      check: 'strategy_limits',
      reason: /named tenant other, not the incident's tenant tenant-123/,
    });
  });

  it('refuses to silence below duplicate_ratio', () => {
    const mixed = { ...duplicated, error_signature: { signature: 'timeout', count: 18, sampled: 20, share: 0.9 } };
    expect(runSafetyChecks(silence({ incident: mixed }))).toMatchObject({ check: 'strategy_limits', reason: /Only 90% .* needs > 90%/ });
  });

  it('a throttle above approval_above_minutes needs an approval, and one approved for as long passes', () => {
    const long = rulesWith({ strategy_limits: { RATE_LIMIT_SOURCE: { duration_minutes: 61 } } });
    expect(runSafetyChecks(rateLimit({}, long))).toEqual({
      allowed: false,
      check: 'throttle_approval',
      reason: "Throttling tenant tenant-123 for 61 minutes (> 60) needs an operator's approval",
      needs_approval: true,
    });
    expect(runSafetyChecks(rateLimit({ approvedThrottleMinutes: 30 }, long))).toMatchObject({ check: 'throttle_approval' });
    expect(runSafetyChecks(rateLimit({ approvedThrottleMinutes: 61 }, long))).toEqual({ allowed: true });
    // A tenant cannot lengthen its own throttle past the approval either.
    const tenantLong = rulesWith({
      tenant_overrides: { 'tenant-123': { strategy_limits: { RATE_LIMIT_SOURCE: { duration_minutes: 240 } } } },
    });
    expect(runSafetyChecks(rateLimit({}, tenantLong))).toMatchObject({ check: 'throttle_approval', needs_approval: true });
  });

  it.each<['RATE_LIMIT_SOURCE' | 'SILENCE_DUPES']>([['RATE_LIMIT_SOURCE'], ['SILENCE_DUPES']])(
    '%s is held by every layer: kill switch, severity, confidence, maintenance, cooldown, business hours, tenant policy, hourly cap',
    (strategy) => {
      const make = strategy === 'RATE_LIMIT_SOURCE' ? rateLimit : silence;
      const closed = rulesWith({
        global_safety: {
          business_hours: { enabled: true, start_hour: 0, end_hour: 1, days: [0], timezone: 'UTC', allow_actions: 'inside' },
        },
      });
      const disabled = rulesWith({ tenant_overrides: { 'tenant-123': { disabled_strategies: [strategy] } } });
      const cases: Array<[Partial<SafetyFacts>, AutohealRules, string]> = [
        [{ coordinationProblem: 'ECONNREFUSED' }, DEFAULT_RULES, 'coordination'],
        [{ killSwitch: { enabled: false } }, DEFAULT_RULES, 'kill_switch'],
        [{ incident: { ...make().incident, severity: 'critical' } }, DEFAULT_RULES, 'severity'],
        [{ probability: 0.6 }, DEFAULT_RULES, 'confidence'],
        [{ maintenance: { until: minutesAgo(-10), reason: 'deploy' } }, DEFAULT_RULES, 'maintenance'],
        [{ lastHealedAt: minutesAgo(1) }, DEFAULT_RULES, 'cooldown'],
        [{}, closed, 'business_hours'],
        [{}, disabled, 'tenant_policy'],
        [{ healsThisHour: 100 }, DEFAULT_RULES, 'hourly_cap'],
      ];
      for (const [overrides, rules, check] of cases) {
        expect(runSafetyChecks(make(overrides, rules))).toMatchObject({ allowed: false, check });
      }
    },
  );
});
