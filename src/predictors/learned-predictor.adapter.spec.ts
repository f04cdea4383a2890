import { AppConfig } from '../config/app-config';
import { BetaPosteriors, LearnedPredictor } from './learned-predictor.adapter';
import { FixedOutcomeHistory, type StrategyOutcome } from './outcome-history.port';
import { createPredictor } from './predictors.module';
import { RuleBasedPredictor } from './rule-based-predictor.adapter';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const E = 'https://a.example.com/hook';
const outcome = (success: boolean, overrides: Partial<StrategyOutcome> = {}): StrategyOutcome => ({
  strategy: 'REPLAY_RECENT',
  tenant_id: 't1',
  endpoint: E,
  at: new Date(NOW.getTime() - 3_600_000),
  success,
  source: 'replay',
  incident: null,
  ...overrides,
});
const burst = { tenant_id: 't1', endpoint: E, failures: 10, severity: 'medium' } as const;
const transient = { transient_ratio: 0.9, permanent_ratio: 0 };

describe('BetaPosteriors', () => {
  it("starts at the guide's base probability and moves with every recorded outcome of that strategy and endpoint", () => {
    const posteriors = new BetaPosteriors([outcome(false), outcome(false), outcome(true), outcome(true, { endpoint: 'other' })], 10);
    expect(posteriors.of('REPLAY_RECENT', 't1', 'unseen').mean).toBeCloseTo(0.75);
    expect(posteriors.of('ESCALATE_OPERATOR', 't1', E).mean).toBeCloseTo(0.9);
    // Beta(7.5 + 1, 2.5 + 2): 8.5 / 13.
    expect(posteriors.of('REPLAY_RECENT', 't1', E)).toEqual({ alpha: 8.5, beta: 4.5, successes: 1, failures: 2, mean: 8.5 / 13 });
  });
});

describe('LearnedPredictor', () => {
  it('with no history decides as the rules do, at the base probability', () => {
    const learned = new LearnedPredictor(null);
    expect(learned.chooseStrategy(burst, transient).strategy).toBe(new RuleBasedPredictor().chooseStrategy(burst, transient).strategy);
    expect(learned.predictOutcomeProbability(burst, 'REPLAY_RECENT')).toBe(0.75);
  });

  it('falls back to DEFER_AND_MONITOR under 0.7 confidence, saying why', () => {
    const learned = new LearnedPredictor(null, undefined, [outcome(false), outcome(false)]);
    const choice = learned.chooseStrategy(burst, transient);
    expect(choice.strategy).toBe('DEFER_AND_MONITOR');
    expect(choice.reason).toMatch(
      /^Learned confidence 0\.63 for REPLAY_RECENT < 0\.70 \(0\/2 recorded outcomes worked, prior 0\.75\); would have been: Mostly/,
    );
    expect(learned.predictOutcomeProbability(burst, 'REPLAY_RECENT')).toBe(0.63);
  });

  it('keeps a confident choice and says what it learned', () => {
    const learned = new LearnedPredictor(
      null,
      undefined,
      Array.from({ length: 5 }, () => outcome(true)),
    );
    expect(learned.chooseStrategy(burst, transient)).toEqual({
      strategy: 'REPLAY_RECENT',
      reason: expect.stringMatching(/; learned confidence 0\.83 \(5\/5 recorded outcomes worked, prior 0\.75\)$/),
    });
  });

  it('never defers a critical incident or one whose deferrals ran out', () => {
    const rejected = Array.from({ length: 10 }, () => outcome(false, { strategy: 'ESCALATE_OPERATOR', source: 'escalation' }));
    const learned = new LearnedPredictor(null, undefined, rejected);
    expect(learned.chooseStrategy({ ...burst, severity: 'critical', failures: 150 }, {}).strategy).toBe('ESCALATE_OPERATOR');
    expect(learned.chooseStrategy({ ...burst, failures: 60 }, { deferrals: 3, max_deferrals: 3 }).strategy).toBe('ESCALATE_OPERATOR');
    expect(learned.chooseStrategy({ ...burst, failures: 60 }, { deferrals: 0 }).strategy).toBe('DEFER_AND_MONITOR');
  });

  it('reads the outcomes at a cycle start, at most once per refresh, and keeps the last ones when the read fails', async () => {
    const history = new FixedOutcomeHistory([outcome(false), outcome(false)]);
    let reads = 0;
    const outcomes = history.outcomes.bind(history);
    history.outcomes = async (since, until) => {
      reads += 1;
      if (reads === 3) throw new Error('database gone');
      return outcomes(since, until);
    };
    const learned = new LearnedPredictor(history);
    await learned.prepare(NOW);
    await learned.prepare(new Date(NOW.getTime() + 30_000));
    expect(reads).toBe(1);
    expect(learned.predictOutcomeProbability(burst, 'REPLAY_RECENT')).toBe(0.63);
    history.record(outcome(true, { at: new Date(NOW.getTime() + 1000) }), outcome(true, { at: new Date(NOW.getTime() + 2000) }));
    await learned.prepare(new Date(NOW.getTime() + 61_000));
    expect(learned.predictOutcomeProbability(burst, 'REPLAY_RECENT')).toBe(0.68);
    await learned.prepare(new Date(NOW.getTime() + 200_000));
    expect(reads).toBe(3);
    expect(learned.predictOutcomeProbability(burst, 'REPLAY_RECENT')).toBe(0.68);
  });

  it('is chosen by PREDICTOR=learned in the one factory', () => {
    expect(createPredictor(AppConfig.fromEnv({ PREDICTOR: 'learned' }), null)).toBeInstanceOf(LearnedPredictor);
    expect(createPredictor(AppConfig.fromEnv({}), null)).toBeInstanceOf(RuleBasedPredictor);
  });
});
