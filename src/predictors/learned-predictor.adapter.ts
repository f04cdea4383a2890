import { Logger } from '@nestjs/common';
import type { Strategy } from '../rules/rules.types';
import { OutcomeHistory, StrategyOutcome } from './outcome-history.port';
import { BASE_PROBABILITY, chooseStrategyWithReason, shouldApplyAutoheal } from './rule-based-predictor.adapter';
import { ApplyContext, ApplyDecision, IncidentLike, StrategyChoice, StrategyContext, StrategyPredictor } from './strategy-predictor.port';

export interface LearnedPredictorOptions {
  /** Pseudo-observations the guide's base probability is worth: the prior is Beta(p·n, (1−p)·n). */
  priorStrength: number;
  /** The guide's sketch: under it the decision falls back to DEFER_AND_MONITOR. */
  minConfidence: number;
  /** How far back outcomes are read. */
  windowDays: number;
  /** How stale the posteriors may get before a cycle reads the outcomes again. */
  refreshSeconds: number;
}

export const LEARNED_DEFAULTS: LearnedPredictorOptions = { priorStrength: 10, minConfidence: 0.7, windowDays: 30, refreshSeconds: 60 };

export interface Posterior {
  alpha: number;
  beta: number;
  successes: number;
  failures: number;
  mean: number;
}

const key = (strategy: Strategy, tenantId: string, endpoint: string) => `${strategy}\u0000${tenantId}\u0000${endpoint}`;

/**
 * Per strategy and endpoint, a Beta posterior of "this strategy works here": the prior's mean is the guide's base
 * probability, every recorded outcome (OutcomeHistory: heal results and operators' decisions) one observation.
 */
export class BetaPosteriors {
  private readonly counts = new Map<string, { successes: number; failures: number }>();

  constructor(
    outcomes: readonly StrategyOutcome[] = [],
    private readonly priorStrength = LEARNED_DEFAULTS.priorStrength,
  ) {
    for (const outcome of outcomes) this.observe(outcome);
  }

  observe(outcome: Pick<StrategyOutcome, 'strategy' | 'tenant_id' | 'endpoint' | 'success'>): void {
    const k = key(outcome.strategy, outcome.tenant_id, outcome.endpoint);
    const count = this.counts.get(k) ?? { successes: 0, failures: 0 };
    if (outcome.success) count.successes += 1;
    else count.failures += 1;
    this.counts.set(k, count);
  }

  of(strategy: Strategy, tenantId: string, endpoint: string): Posterior {
    const { successes, failures } = this.counts.get(key(strategy, tenantId, endpoint)) ?? { successes: 0, failures: 0 };
    const prior = BASE_PROBABILITY[strategy];
    const alpha = prior * this.priorStrength + successes;
    const beta = (1 - prior) * this.priorStrength + failures;
    return { alpha, beta, successes, failures, mean: alpha / (alpha + beta) };
  }
}

const round2 = (p: number) => Math.round((p + Number.EPSILON) * 100) / 100;

/**
 * PREDICTOR=learned: the rule-based candidates in strategy_priorities order, judged by what happened before. The
 * probability of a strategy is its posterior mean for the endpoint; a choice under minConfidence becomes
 * DEFER_AND_MONITOR (the guide's "Machine Learning Integration" sketch), except where deferring is no answer: a
 * critical incident, or one already deferred max_deferrals times (the tree's escalation stands).
 */
export class LearnedPredictor extends StrategyPredictor {
  private readonly logger = new Logger(LearnedPredictor.name);
  private posteriors: BetaPosteriors;
  private loadedAt: number | null = null;

  constructor(
    private readonly history: OutcomeHistory | null,
    private readonly options: LearnedPredictorOptions = LEARNED_DEFAULTS,
    outcomes: readonly StrategyOutcome[] = [],
  ) {
    super();
    this.posteriors = new BetaPosteriors(outcomes, options.priorStrength);
  }

  /** Reads the outcomes when the posteriors are older than refreshSeconds; a failed read keeps the last ones. */
  override async prepare(now: Date): Promise<void> {
    if (!this.history) return;
    if (this.loadedAt !== null && Math.abs(now.getTime() - this.loadedAt) < this.options.refreshSeconds * 1000) return;
    try {
      const since = new Date(now.getTime() - this.options.windowDays * 86_400_000);
      this.calibrate(await this.history.outcomes(since, now));
      this.loadedAt = now.getTime();
    } catch (error) {
      this.logger.warn(`Outcomes unreadable, keeping the last posteriors: ${error instanceof Error ? error.message : error}`);
    }
  }

  calibrate(outcomes: readonly StrategyOutcome[]): void {
    this.posteriors = new BetaPosteriors(outcomes, this.options.priorStrength);
  }

  posterior(strategy: Strategy, incident: IncidentLike): Posterior {
    return this.posteriors.of(strategy, incident.tenant_id ?? '', incident.endpoint ?? '');
  }

  chooseStrategy(incident: IncidentLike, context: StrategyContext): StrategyChoice {
    const choice = chooseStrategyWithReason(incident, context);
    const p = this.posterior(choice.strategy, incident);
    const evidence = `${p.successes}/${p.successes + p.failures} recorded outcomes worked, prior ${BASE_PROBABILITY[choice.strategy]}`;
    const confidence = round2(p.mean);
    const deferralsExhausted = (context.deferrals ?? 0) >= (context.max_deferrals ?? 3);
    if (confidence >= this.options.minConfidence || choice.strategy === 'DEFER_AND_MONITOR') {
      return { strategy: choice.strategy, reason: `${choice.reason}; learned confidence ${confidence.toFixed(2)} (${evidence})` };
    }
    if (incident.severity === 'critical' || deferralsExhausted) {
      return {
        strategy: choice.strategy,
        reason: `${choice.reason}; learned confidence ${confidence.toFixed(2)} (${evidence}), kept: deferring is no answer here`,
      };
    }
    return {
      strategy: 'DEFER_AND_MONITOR',
      reason:
        `Learned confidence ${confidence.toFixed(2)} for ${choice.strategy} < ${this.options.minConfidence.toFixed(2)} ` +
        `(${evidence}); would have been: ${choice.reason}`,
    };
  }

  predictOutcomeProbability(incident: IncidentLike, strategy: Strategy): number {
    return round2(this.posterior(strategy, incident).mean);
  }

  shouldApply(incident: IncidentLike, strategy: Strategy, context: ApplyContext): ApplyDecision {
    return shouldApplyAutoheal(incident, strategy, {
      ...context,
      probability: context.probability ?? this.predictOutcomeProbability(incident, strategy),
    });
  }
}
