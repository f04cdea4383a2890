import type { Strategy } from '../rules/rules.types';
import {
  chooseStrategy,
  chooseStrategyWithReason,
  DEFAULT_STRATEGY_PRIORITIES,
  predictOutcomeProbability,
  RuleBasedPredictor,
  shouldApplyAutoheal,
} from './rule-based-predictor.adapter';
import { StrategyPredictor, type ApplyContext, type IncidentLike, type StrategyContext } from './strategy-predictor.port';
import { analyzeTriageDistribution } from './triage-distribution';

const labels = (spec: Record<string, number>) =>
  Object.entries(spec).flatMap(([label, n]) => Array.from({ length: n }, () => ({ triage_label: label === 'null' ? null : label })));

describe("the guide's unit-test examples", () => {
  it('test_choose_strategy_high_transient', () => {
    const incident = { failures: 10, severity: 'low' } as const;
    const context = { transient_ratio: 0.8, permanent_ratio: 0.1 };
    expect(chooseStrategy(incident, context)).toBe('REPLAY_RECENT');
  });

  it('test_choose_strategy_massive_failure', () => {
    const incident = { failures: 100, severity: 'critical' } as const;
    const context = { transient_ratio: 0.5, permanent_ratio: 0.5 };
    expect(chooseStrategy(incident, context)).toBe('ESCALATE_OPERATOR');
  });
});

describe('analyzeTriageDistribution', () => {
  it('is all zeros for no deliveries', () => {
    expect(analyzeTriageDistribution([])).toEqual({
      total: 0,
      counts: {},
      transient_ratio: 0,
      permanent_ratio: 0,
      rate_limited_ratio: 0,
      unknown_ratio: 0,
      dominant_label: null,
    });
  });

  it('groups transient and permanent labels and counts untriaged as unknown', () => {
    const result = analyzeTriageDistribution(
      labels({ transient_endpoint_down: 4, rate_limited: 2, permanent_4xx: 1, invalid_payload: 1, unknown: 1, null: 1 }),
    );
    expect(result).toEqual({
      total: 10,
      counts: { transient_endpoint_down: 4, rate_limited: 2, permanent_4xx: 1, invalid_payload: 1, unknown: 2 },
      transient_ratio: 0.6,
      permanent_ratio: 0.2,
      rate_limited_ratio: 0.2,
      unknown_ratio: 0.2,
      dominant_label: 'transient_endpoint_down',
    });
  });

  it('treats an unrecognised label as unknown in the ratios but keeps it in the counts', () => {
    const result = analyzeTriageDistribution(labels({ weird: 3, rate_limited: 1 }));
    expect(result.counts).toEqual({ weird: 3, rate_limited: 1 });
    expect(result.unknown_ratio).toBe(0.75);
    expect(result.transient_ratio).toBe(0.25);
    expect(result.dominant_label).toBe('weird');
  });

  it.each([
    [{ permanent_4xx: 2, transient_endpoint_down: 2 }, 'transient_endpoint_down'],
    [{ unknown: 2, invalid_payload: 2 }, 'invalid_payload'],
    [{ zeta: 1, alpha: 1 }, 'alpha'],
    [{ alpha: 1, unknown: 1 }, 'unknown'],
  ])('breaks ties in %j deterministically → %s', (spec, expected) => {
    expect(analyzeTriageDistribution(labels(spec)).dominant_label).toBe(expected);
  });
});

describe('chooseStrategy', () => {
  const cases: [string, IncidentLike, StrategyContext, Strategy][] = [
    [
      'critical, even with a clean transient pattern',
      { failures: 5, severity: 'critical' },
      { transient_ratio: 1, permanent_ratio: 0 },
      'ESCALATE_OPERATOR',
    ],
    ['critical traffic spike', { failures: 0, severity: 'critical', kind: 'traffic_spike' }, {}, 'ESCALATE_OPERATOR'],
    ['more than 50 failures', { failures: 51, severity: 'high' }, { transient_ratio: 0.9, permanent_ratio: 0 }, 'ESCALATE_OPERATOR'],
    [
      'exactly 50 transient failures, large enough batch',
      { failures: 50, severity: 'high' },
      { transient_ratio: 0.9, permanent_ratio: 0, max_batch: 50 },
      'REPLAY_RECENT',
    ],
    [
      'permanent ratio above 0.8',
      { failures: 10, severity: 'medium' },
      { transient_ratio: 0.1, permanent_ratio: 0.81 },
      'ESCALATE_OPERATOR',
    ],
    [
      'permanent ratio exactly 0.8',
      { failures: 10, severity: 'medium' },
      { transient_ratio: 0.2, permanent_ratio: 0.8 },
      'DEFER_AND_MONITOR',
    ],
    [
      'traffic spike',
      { failures: 3, severity: 'low', kind: 'traffic_spike' },
      { transient_ratio: 1, permanent_ratio: 0 },
      'DEFER_AND_MONITOR',
    ],
    ['no failures', { failures: 0, severity: 'low' }, { transient_ratio: 0.9 }, 'DEFER_AND_MONITOR'],
    [
      'failures below the detector minimum',
      { failures: 4, severity: 'low' },
      { transient_ratio: 0.9, min_failures: 5 },
      'DEFER_AND_MONITOR',
    ],
    [
      'transient above 0.7, batch ≤ 25',
      { failures: 25, severity: 'medium' },
      { transient_ratio: 0.71, permanent_ratio: 0 },
      'REPLAY_RECENT',
    ],
    ['transient exactly 0.7', { failures: 10, severity: 'low' }, { transient_ratio: 0.7, permanent_ratio: 0.3 }, 'DEFER_AND_MONITOR'],
    [
      'transient but batch above the default 25',
      { failures: 26, severity: 'high' },
      { transient_ratio: 0.9, permanent_ratio: 0 },
      'DEFER_AND_MONITOR',
    ],
    [
      'transient within a tenant max_batch of 50',
      { failures: 40, severity: 'high' },
      { transient_ratio: 0.9, max_batch: 50 },
      'REPLAY_RECENT',
    ],
    [
      'transient beyond a smaller tenant max_batch',
      { failures: 10, severity: 'low' },
      { transient_ratio: 0.9, max_batch: 5 },
      'DEFER_AND_MONITOR',
    ],
    ['mixed pattern', { failures: 10, severity: 'low' }, { transient_ratio: 0.5, permanent_ratio: 0.5 }, 'DEFER_AND_MONITOR'],
    ['no ratios known at all', { failures: 10, severity: 'low' }, {}, 'DEFER_AND_MONITOR'],
    ['unclear after max deferrals', { failures: 10, severity: 'low' }, { transient_ratio: 0.5, deferrals: 3 }, 'ESCALATE_OPERATOR'],
    ['unclear before max deferrals', { failures: 10, severity: 'low' }, { transient_ratio: 0.5, deferrals: 2 }, 'DEFER_AND_MONITOR'],
    [
      'unclear with a custom max deferrals',
      { failures: 10, severity: 'low' },
      { transient_ratio: 0.5, deferrals: 1, max_deferrals: 1 },
      'ESCALATE_OPERATOR',
    ],
    [
      'a spike is escalated after max deferrals too',
      { failures: 0, severity: 'low', kind: 'traffic_spike' },
      { deferrals: 3 },
      'ESCALATE_OPERATOR',
    ],
    [
      'a spike before max deferrals is deferred',
      { failures: 0, severity: 'low', kind: 'traffic_spike' },
      { deferrals: 2 },
      'DEFER_AND_MONITOR',
    ],
    ['replay is not blocked by deferrals', { failures: 10, severity: 'low' }, { transient_ratio: 0.9, deferrals: 5 }, 'REPLAY_RECENT'],
  ];

  it.each(cases)('%s', (_name, incident, context, expected) => {
    expect(chooseStrategy(incident, context)).toBe(expected);
  });

  it('computes ratios from recent_deliveries when not given', () => {
    const recent = labels({ transient_endpoint_down: 8, rate_limited: 1, permanent_4xx: 1 });
    expect(chooseStrategy({ failures: 10, severity: 'low' }, { recent_deliveries: recent })).toBe('REPLAY_RECENT');
    const permanent = labels({ permanent_4xx: 9, unknown: 1 });
    expect(chooseStrategy({ failures: 10, severity: 'low' }, { recent_deliveries: permanent })).toBe('ESCALATE_OPERATOR');
  });

  it('prefers an explicit ratio over the one computed from deliveries', () => {
    const recent = labels({ transient_endpoint_down: 10 });
    expect(chooseStrategy({ failures: 10, severity: 'low' }, { recent_deliveries: recent, transient_ratio: 0.2 })).toBe(
      'DEFER_AND_MONITOR',
    );
  });

  it('falls back to the incident triage distribution', () => {
    const incident = { failures: 10, severity: 'low', triage_distribution: { rate_limited: 9, unknown: 1 } } as const;
    expect(chooseStrategy(incident, {})).toBe('REPLAY_RECENT');
  });

  it.each([
    [{ failures: 5, severity: 'critical' }, {}, 'Critical incident: never healed automatically'],
    [{ failures: 60, severity: 'high' }, {}, 'Massive failure cluster (60 > 50 failures)'],
    [{ failures: 10, severity: 'low' }, { permanent_ratio: 0.9 }, 'Mostly permanent failures (90% > 80%)'],
    [{ failures: 2, severity: 'low', kind: 'traffic_spike' }, {}, 'Traffic spike without a failure pattern (2 failures)'],
    [{ failures: 2, severity: 'low' }, { min_failures: 5 }, 'Too few failures for a pattern (2 < 5)'],
    [{ failures: 10, severity: 'low' }, { transient_ratio: 0.8 }, 'Mostly transient failures (80% > 70%), small batch (10 <= 25)'],
    [{ failures: 30, severity: 'high' }, { transient_ratio: 0.8 }, 'Unclear pattern: too many to replay at once (30 > 25)'],
    [{ failures: 10, severity: 'low' }, { transient_ratio: 0.4, permanent_ratio: 0.3 }, 'Unclear pattern: transient 40%, permanent 30%'],
    [
      { failures: 10, severity: 'low' },
      { deferrals: 3 },
      'Deferred 3 times without a clearer pattern (max 3): Unclear pattern: transient 0%, permanent 0%',
    ],
  ] as [IncidentLike, StrategyContext, string][])('explains %j %j', (incident, context, reason) => {
    expect(chooseStrategyWithReason(incident, context).reason).toBe(reason);
  });
});

describe('predictOutcomeProbability', () => {
  const incident = { failures: 10, severity: 'low' } as const;

  it.each([
    ['ESCALATE_OPERATOR', {}, 0.9],
    ['DEFER_AND_MONITOR', {}, 0.6],
    ['RATE_LIMIT_SOURCE', {}, 0.7],
    ['SILENCE_DUPES', {}, 0.8],
    ['SILENCE_DUPES', { endpoint_success_rate: 0 }, 0.8],
    ['REPLAY_RECENT', {}, 0.63],
    ['REPLAY_RECENT', { endpoint_success_rate: null }, 0.63],
    ['REPLAY_RECENT', { endpoint_success_rate: 0.89 }, 0.82],
    ['REPLAY_RECENT', { endpoint_success_rate: 1 }, 0.88],
    ['REPLAY_RECENT', { endpoint_success_rate: 0 }, 0.38],
    ['REPLAY_RECENT', { endpoint_success_rate: 0.65 }, 0.7],
    ['REPLAY_RECENT', { endpoint_success_rate: 7 }, 0.88],
    ['REPLAY_RECENT', { endpoint_success_rate: -1 }, 0.38],
    ['REPLAY_RECENT', { endpoint_success_rate: Number.NaN }, 0.63],
  ] as [Strategy, StrategyContext, number][])('%s with %j → %s', (strategy, context, expected) => {
    expect(predictOutcomeProbability(incident, strategy, context)).toBe(expected);
  });
});

describe('shouldApplyAutoheal', () => {
  const low = { failures: 10, severity: 'low' } as const;
  const critical = { failures: 10, severity: 'critical' } as const;

  it.each([
    ['a confident replay', low, 'REPLAY_RECENT', { endpoint_success_rate: 0.9, strategy_min_confidence: 0.7 }, { apply: true }],
    ['escalating a critical incident', critical, 'ESCALATE_OPERATOR', {}, { apply: true }],
    [
      'replaying a critical incident',
      critical,
      'REPLAY_RECENT',
      { probability: 0.99 },
      { apply: false, check: 'severity', reason: 'Critical incident requires operator approval (REPLAY_RECENT not applied automatically)' },
    ],
    [
      'replaying a critical incident when approval is not required',
      critical,
      'REPLAY_RECENT',
      { probability: 0.99, require_approval_for_critical: false },
      { apply: true },
    ],
    [
      'below the strategy minimum',
      low,
      'REPLAY_RECENT',
      { probability: 0.62, strategy_min_confidence: 0.7 },
      { apply: false, check: 'confidence', reason: 'Confidence 0.62 below REPLAY_RECENT minimum 0.70' },
    ],
    [
      'below the strategy minimum, probability computed',
      low,
      'REPLAY_RECENT',
      { endpoint_success_rate: 0.5, strategy_min_confidence: 0.7 },
      { apply: false, check: 'confidence', reason: 'Confidence 0.63 below REPLAY_RECENT minimum 0.70' },
    ],
    [
      'below the default global floor',
      low,
      'REPLAY_RECENT',
      { endpoint_success_rate: 0 },
      { apply: false, check: 'confidence', reason: 'Confidence 0.38 below global minimum 0.50' },
    ],
    [
      'below a configured global floor',
      low,
      'DEFER_AND_MONITOR',
      { min_confidence: 0.65 },
      { apply: false, check: 'confidence', reason: 'Confidence 0.60 below global minimum 0.65' },
    ],
    ['exactly at the strategy minimum', low, 'REPLAY_RECENT', { probability: 0.7, strategy_min_confidence: 0.7 }, { apply: true }],
  ] as [string, IncidentLike, Strategy, ApplyContext, object][])('%s', (_name, incident, strategy, context, expected) => {
    expect(shouldApplyAutoheal(incident, strategy, context)).toEqual(expected);
  });
});

describe('RuleBasedPredictor', () => {
  const predictor: StrategyPredictor = new RuleBasedPredictor();

  it('answers the three decisions with the decision tree', () => {
    const incident = { failures: 10, severity: 'low' } as const;
    const context = { transient_ratio: 0.8, permanent_ratio: 0.1, endpoint_success_rate: 0.9 };
    expect(predictor.chooseStrategy(incident, context)).toEqual({
      strategy: 'REPLAY_RECENT',
      reason: 'Mostly transient failures (80% > 70%), small batch (10 <= 25)',
    });
    expect(predictor.predictOutcomeProbability(incident, 'REPLAY_RECENT', context)).toBe(0.83);
    expect(predictor.shouldApply({ severity: 'critical' }, 'REPLAY_RECENT', { probability: 0.9 })).toMatchObject({
      apply: false,
      check: 'severity',
    });
    expect(predictor.shouldApply(incident, 'REPLAY_RECENT', { probability: 0.9 })).toEqual({ apply: true });
  });
});

describe('backlog recovery (RECOVER_BACKLOG)', () => {
  const on = (context: StrategyContext = {}): StrategyContext => ({ backlog_recovery: true, ...context });
  const probeThenDrain = ': probe, then drain the backlog once the endpoint answers';

  describe('chooseStrategy', () => {
    const cases: [string, IncidentLike, StrategyContext, Strategy][] = [
      [
        'a sustained transient outage of a cold endpoint',
        { kind: 'sustained_outage', failures: 30, severity: 'high' },
        { transient_ratio: 1 },
        'RECOVER_BACKLOG',
      ],
      [
        'a sustained outage with fewer recent failures than min_failures',
        { kind: 'sustained_outage', failures: 2, severity: 'low' },
        { transient_ratio: 1, min_failures: 5 },
        'RECOVER_BACKLOG',
      ],
      [
        'a transient burst above the replay batch',
        { failures: 26, severity: 'high' },
        { transient_ratio: 0.9, permanent_ratio: 0 },
        'RECOVER_BACKLOG',
      ],
      [
        'a massive transient burst',
        { failures: 500, severity: 'high' },
        { transient_ratio: 0.9, endpoint_success_rate: 1 },
        'RECOVER_BACKLOG',
      ],
      [
        'a critical transient outage',
        { kind: 'failure_burst', failures: 150, severity: 'critical' },
        { transient_ratio: 0.95 },
        'RECOVER_BACKLOG',
      ],
      [
        'a small transient burst on an endpoint replays work on',
        { failures: 10, severity: 'low' },
        { transient_ratio: 0.8, endpoint_success_rate: 0.9 },
        'REPLAY_RECENT',
      ],
      ['a small transient burst on a cold endpoint', { failures: 10, severity: 'low' }, { transient_ratio: 0.8 }, 'RECOVER_BACKLOG'],
      [
        'a small transient burst on an endpoint whose only history is the outage',
        { failures: 10, severity: 'low' },
        { transient_ratio: 0.8, endpoint_success_rate: 0 },
        'RECOVER_BACKLOG',
      ],
      [
        'a small burst on a cold endpoint when the tenant trusts replays at 0.6',
        { failures: 10, severity: 'low' },
        { transient_ratio: 0.8, replay_min_confidence: 0.6 },
        'REPLAY_RECENT',
      ],
      [
        "a critical mixed pattern (the guide's massive failure)",
        { failures: 100, severity: 'critical' },
        { transient_ratio: 0.5, permanent_ratio: 0.5 },
        'ESCALATE_OPERATOR',
      ],
      [
        'a massive permanent pattern',
        { failures: 200, severity: 'high' },
        { transient_ratio: 0.05, permanent_ratio: 0.95 },
        'ESCALATE_OPERATOR',
      ],
      [
        'a sustained permanent pattern',
        { kind: 'sustained_outage', failures: 30, severity: 'high' },
        { transient_ratio: 0.1, permanent_ratio: 0.9 },
        'ESCALATE_OPERATOR',
      ],
      [
        'a sustained outage of untriaged failures',
        { kind: 'sustained_outage', failures: 30, severity: 'high' },
        { transient_ratio: 0, permanent_ratio: 0 },
        'DEFER_AND_MONITOR',
      ],
      [
        'a traffic spike with transient failures',
        { kind: 'traffic_spike', failures: 3, severity: 'low' },
        { transient_ratio: 1 },
        'DEFER_AND_MONITOR',
      ],
      [
        'a transient outage after max_ineffective_attempts',
        { kind: 'sustained_outage', failures: 30, severity: 'high' },
        { transient_ratio: 1, ineffective_attempts: 3 },
        'ESCALATE_OPERATOR',
      ],
      [
        'a transient outage before max_ineffective_attempts',
        { kind: 'sustained_outage', failures: 30, severity: 'high' },
        { transient_ratio: 1, ineffective_attempts: 2 },
        'RECOVER_BACKLOG',
      ],
      [
        'a custom max_ineffective_attempts',
        { failures: 40, severity: 'high' },
        { transient_ratio: 1, ineffective_attempts: 1, max_ineffective_attempts: 1 },
        'ESCALATE_OPERATOR',
      ],
    ];

    it.each(cases)('%s', (_name, incident, context, expected) => {
      expect(chooseStrategy(incident, on(context))).toBe(expected);
    });

    it.each([
      [{ failures: 26, severity: 'high' }, { transient_ratio: 0.9 }, 'DEFER_AND_MONITOR'],
      [{ failures: 51, severity: 'high' }, { transient_ratio: 0.9 }, 'ESCALATE_OPERATOR'],
      [{ failures: 150, severity: 'critical' }, { transient_ratio: 0.95 }, 'ESCALATE_OPERATOR'],
      [{ kind: 'sustained_outage', failures: 10, severity: 'low' }, { transient_ratio: 1 }, 'REPLAY_RECENT'],
    ] as [IncidentLike, StrategyContext, Strategy][])(
      "without backlog_recovery keeps the guide's answer for %j %j",
      (incident, context, want) => {
        expect(chooseStrategy(incident, context)).toBe(want);
        expect(chooseStrategy(incident, { ...context, backlog_recovery: false })).toBe(want);
      },
    );

    it("reads the transient share from the incident's own triage distribution", () => {
      const triage_distribution = { transient_endpoint_down: 250, rate_limited: 40, unknown: 10 };
      const incident = { kind: 'failure_burst', failures: 300, severity: 'critical', triage_distribution } as const;
      expect(chooseStrategy(incident, on())).toBe('RECOVER_BACKLOG');
      const permanent = { ...incident, triage_distribution: { permanent_4xx: 250, invalid_payload: 50 } };
      expect(chooseStrategy(permanent, on())).toBe('ESCALATE_OPERATOR');
    });

    it.each([
      [
        { kind: 'sustained_outage', failures: 30, severity: 'high' },
        { transient_ratio: 0.95 },
        `Sustained outage, mostly transient failures (95% > 70%)${probeThenDrain}`,
      ],
      [
        { failures: 150, severity: 'critical' },
        { transient_ratio: 1 },
        `Critical transient outage (150 failures, mostly transient failures (100% > 70%))${probeThenDrain}`,
      ],
      [
        { failures: 60, severity: 'high' },
        { transient_ratio: 0.9 },
        `Massive transient outage (60 > 50 failures, mostly transient failures (90% > 70%))${probeThenDrain}`,
      ],
      [
        { failures: 30, severity: 'high' },
        { transient_ratio: 0.8 },
        `Transient outage too big to replay at once (30 > 25), mostly transient failures (80% > 70%)${probeThenDrain}`,
      ],
      [
        { failures: 10, severity: 'low' },
        { transient_ratio: 0.8 },
        `Mostly transient failures (80% > 70%), no replay history for the endpoint (REPLAY_RECENT confidence 0.63 < 0.70)${probeThenDrain}`,
      ],
      [
        { failures: 10, severity: 'low' },
        { transient_ratio: 0.8, endpoint_success_rate: 0 },
        `Mostly transient failures (80% > 70%), replay success rate 0% (REPLAY_RECENT confidence 0.38 < 0.70)${probeThenDrain}`,
      ],
      [
        { kind: 'sustained_outage', failures: 30, severity: 'high' },
        { transient_ratio: 1, ineffective_attempts: 4 },
        `Recovery did not work 4 times (max 3): Sustained outage, mostly transient failures (100% > 70%)`,
      ],
    ] as [IncidentLike, StrategyContext, string][])('explains %j %j', (incident, context, reason) => {
      expect(chooseStrategyWithReason(incident, on(context)).reason).toBe(reason);
    });
  });

  describe('predictOutcomeProbability', () => {
    const incident = { failures: 10, severity: 'low' } as const;

    it.each([
      [{}, 0.85],
      [{ endpoint_success_rate: null }, 0.85],
      [{ endpoint_success_rate: 0 }, 0.85],
      [{ endpoint_success_rate: 0.5 }, 0.85],
      [{ endpoint_success_rate: 0.95 }, 0.9],
      [{ endpoint_success_rate: 1 }, 0.93],
      [{ endpoint_success_rate: 7 }, 0.93],
      [{ endpoint_success_rate: Number.NaN }, 0.85],
    ] as [StrategyContext, number][])('with %j → %s: a poor or missing history cannot lower it', (context, expected) => {
      expect(predictOutcomeProbability(incident, 'RECOVER_BACKLOG', context)).toBe(expected);
    });
  });

  describe('shouldApplyAutoheal', () => {
    const low = { failures: 10, severity: 'low' } as const;
    const critical = { failures: 150, severity: 'critical' } as const;
    const strategy_min_confidence = 0.7;

    it.each([
      ["a cold endpoint clears RECOVER_BACKLOG's minimum", low, {}],
      ['an endpoint whose only history is the outage clears it too', low, { endpoint_success_rate: 0 }],
      ['a critical incident when approval is not required', critical, { require_approval_for_critical: false }],
      ['a critical incident once approved', critical, { approved: true }],
    ] as [string, IncidentLike, ApplyContext][])('%s', (_name, incident, context) => {
      expect(shouldApplyAutoheal(incident, 'RECOVER_BACKLOG', { strategy_min_confidence, ...context })).toEqual({ apply: true });
    });

    it('holds a critical transient incident for an approval the engine can ask for', () => {
      expect(shouldApplyAutoheal(critical, 'RECOVER_BACKLOG', { strategy_min_confidence, require_approval_for_critical: true })).toEqual({
        apply: false,
        check: 'severity',
        needs_approval: true,
        reason: 'Critical incident requires operator approval: RECOVER_BACKLOG waits for an approval',
      });
      expect(shouldApplyAutoheal(critical, 'RECOVER_BACKLOG', {})).toMatchObject({ apply: false, needs_approval: true });
    });

    it('still applies the confidence floor once approved', () => {
      expect(shouldApplyAutoheal(critical, 'RECOVER_BACKLOG', { approved: true, strategy_min_confidence: 0.9 })).toEqual({
        apply: false,
        check: 'confidence',
        reason: 'Confidence 0.85 below RECOVER_BACKLOG minimum 0.90',
      });
    });

    it('asks no approval of other strategies', () => {
      expect(shouldApplyAutoheal(critical, 'REPLAY_RECENT', { probability: 0.9 })).not.toHaveProperty('needs_approval');
      expect(shouldApplyAutoheal(critical, 'ESCALATE_OPERATOR', {})).toEqual({ apply: true });
    });
  });

  it('is what RuleBasedPredictor answers through the port', () => {
    const predictor: StrategyPredictor = new RuleBasedPredictor();
    const triage_distribution = { transient_endpoint_down: 120 };
    const incident = { kind: 'sustained_outage', failures: 120, severity: 'critical', triage_distribution } as const;
    const context = { backlog_recovery: true, endpoint_success_rate: null };
    expect(predictor.chooseStrategy(incident, context)).toEqual({
      strategy: 'RECOVER_BACKLOG',
      reason: `Critical transient outage (120 failures, mostly transient failures (100% > 70%))${probeThenDrain}`,
    });
    expect(predictor.predictOutcomeProbability(incident, 'RECOVER_BACKLOG', context)).toBe(0.85);
    expect(predictor.shouldApply(incident, 'RECOVER_BACKLOG', { probability: 0.85 })).toMatchObject({
      apply: false,
      check: 'severity',
      needs_approval: true,
    });
  });
});

describe('all five strategies, in strategy_priorities order (RATE_LIMIT_SOURCE, SILENCE_DUPES)', () => {
  const flood = { tenant_id: 't1', flooding_tenant: 't1', tenant_failure_share: 0.72, tenant_traffic_ratio: 4.2 } as const;
  const dupes = { error_signature: { signature: 'connect econnrefused <ip>:<n>', count: 19, sampled: 20, share: 0.95 } };
  const transient = { transient_ratio: 0.9, permanent_ratio: 0 };
  const unclear = { transient_ratio: 0.4, permanent_ratio: 0.4 };
  const choose = (incident: IncidentLike, context: StrategyContext = {}) => chooseStrategyWithReason(incident, context);

  it.each<[string, IncidentLike, StrategyContext, Strategy, RegExp]>([
    ['a small transient burst', { failures: 10, severity: 'medium' }, transient, 'REPLAY_RECENT', /^Mostly transient failures/],
    ['a massive cluster', { failures: 60, severity: 'high' }, unclear, 'ESCALATE_OPERATOR', /^Massive failure cluster/],
    ['an unclear pattern', { failures: 10, severity: 'medium' }, unclear, 'DEFER_AND_MONITOR', /^Unclear pattern/],
    [
      'a flooding tenant with a small transient burst: before the replay (2 < 3)',
      { failures: 10, severity: 'medium', ...flood },
      transient,
      'RATE_LIMIT_SOURCE',
      /^Tenant t1 floods: 72% of all failures in the window, traffic 4.2x its baseline \(priority 2, chosen over REPLAY_RECENT/,
    ],
    [
      'duplicate errors of an unclear pattern: before the deferral (4 < 5)',
      { failures: 20, severity: 'medium', ...dupes },
      unclear,
      'SILENCE_DUPES',
      /^Duplicate errors: 95% of 20 failures \(> 90%\) share the signature "connect econnrefused <ip>:<n>" \(priority 4, chosen over DEFER/,
    ],
    [
      'a sustained outage: RECOVER_BACKLOG',
      { failures: 30, severity: 'high', kind: 'sustained_outage' },
      { ...transient, backlog_recovery: true },
      'RECOVER_BACKLOG',
      /^Sustained outage/,
    ],
  ])('%s → %s, with a reason', (_, incident, context, strategy, reason) => {
    const choice = choose(incident, context);
    expect(choice.strategy).toBe(strategy);
    expect(choice.reason).toMatch(reason);
  });

  it('an escalation comes before a flood and duplicates (priority 1), and says what it passed over', () => {
    const choice = choose({ failures: 60, severity: 'high', ...flood, ...dupes }, unclear);
    expect(choice.strategy).toBe('ESCALATE_OPERATOR');
    expect(choice.reason).toMatch(
      /chosen over RATE_LIMIT_SOURCE \(priority 2: Tenant t1 floods.*; SILENCE_DUPES \(priority 4: Duplicate errors/,
    );
  });

  it('follows custom strategy_priorities', () => {
    const priorities = { ...DEFAULT_STRATEGY_PRIORITIES, REPLAY_RECENT: 1, ESCALATE_OPERATOR: 3 };
    expect(choose({ failures: 10, severity: 'medium', ...flood }, { ...transient, strategy_priorities: priorities }).strategy).toBe(
      'REPLAY_RECENT',
    );
    const silenceFirst = { ...DEFAULT_STRATEGY_PRIORITIES, SILENCE_DUPES: 1, ESCALATE_OPERATOR: 4 };
    expect(choose({ failures: 60, severity: 'high', ...dupes }, { ...unclear, strategy_priorities: silenceFirst }).strategy).toBe(
      'SILENCE_DUPES',
    );
  });

  it('never displaces a heal by a silence: duplicates of a replayable burst or an outage are healed', () => {
    expect(choose({ failures: 10, severity: 'medium', ...dupes }, transient).strategy).toBe('REPLAY_RECENT');
    const outage = { failures: 30, severity: 'high', kind: 'sustained_outage', ...dupes } as const;
    expect(choose(outage, { ...transient, backlog_recovery: true }).strategy).toBe('RECOVER_BACKLOG');
  });

  it('a critical incident is never throttled or silenced automatically', () => {
    expect(choose({ failures: 150, severity: 'critical', ...flood, ...dupes }, unclear).strategy).toBe('ESCALATE_OPERATOR');
  });

  it('offers neither once done (throttled, silenced), nor when the tenant disables them, nor for another named tenant', () => {
    const incident = { failures: 10, severity: 'medium', ...flood } as const;
    expect(choose(incident, { ...transient, tenant_throttled: true }).strategy).toBe('REPLAY_RECENT');
    expect(choose(incident, { ...transient, disabled_strategies: ['RATE_LIMIT_SOURCE'] }).strategy).toBe('REPLAY_RECENT');
    expect(choose({ ...incident, flooding_tenant: 'someone-else' }, transient).strategy).toBe('REPLAY_RECENT');
    const duplicated = { failures: 20, severity: 'medium', ...dupes } as const;
    expect(choose(duplicated, { ...unclear, signature_silenced: true }).strategy).toBe('DEFER_AND_MONITOR');
    expect(choose(duplicated, { ...unclear, disabled_strategies: ['SILENCE_DUPES'] }).strategy).toBe('DEFER_AND_MONITOR');
  });

  it('SILENCE_DUPES needs more than duplicate_ratio of the failures on one signature', () => {
    const at = (share: number, ratio?: number) =>
      choose(
        { failures: 20, severity: 'medium', error_signature: { ...dupes.error_signature, share } },
        { ...unclear, duplicate_ratio: ratio },
      ).strategy;
    expect(at(0.9)).toBe('DEFER_AND_MONITOR');
    expect(at(0.91)).toBe('SILENCE_DUPES');
    expect(at(0.91, 0.95)).toBe('DEFER_AND_MONITOR');
  });

  it('gives each of the new strategies its base probability', () => {
    expect(predictOutcomeProbability({}, 'RATE_LIMIT_SOURCE')).toBe(0.7);
    expect(predictOutcomeProbability({}, 'SILENCE_DUPES')).toBe(0.8);
  });
});
