import type { Strategy } from '../rules/rules.types';
import { ApplyContext, ApplyDecision, IncidentLike, StrategyChoice, StrategyContext, StrategyPredictor } from './strategy-predictor.port';
import { analyzeTriageDistribution, distributionFromCounts } from './triage-distribution';

/** From the guide's "Healing Strategies". */
export const STRATEGY_THRESHOLDS = {
  /** More failures than this in one incident is a cluster a person must see. */
  escalate_failures: 50,
  escalate_permanent_ratio: 0.8,
  replay_transient_ratio: 0.7,
  /** The engine passes the tenant-effective value. */
  default_max_batch: 25,
  /** Fewer is not a failure pattern (a traffic spike, say). */
  default_min_failures: 1,
  default_max_deferrals: 3,
  /** Below it a small burst is probed rather than replayed. */
  default_replay_min_confidence: 0.7,
  default_max_ineffective_attempts: 3,
} as const;

/** Before endpoint history is considered. */
export const BASE_PROBABILITY: Readonly<Record<Strategy, number>> = {
  REPLAY_RECENT: 0.75,
  ESCALATE_OPERATOR: 0.9,
  DEFER_AND_MONITOR: 0.6,
  RATE_LIMIT_SOURCE: 0.7,
  SILENCE_DUPES: 0.8,
  // A probe is one real delivery per interval and the backlog only follows a 2xx: safe whatever the history.
  RECOVER_BACKLOG: 0.85,
};

export const UNKNOWN_SUCCESS_RATE = 0.5;

/** With no context, deliveries or triage distribution both are 0 (an unclear pattern). */
export function resolveRatios(incident: IncidentLike, context: StrategyContext): { transient_ratio: number; permanent_ratio: number } {
  const fallback =
    context.recent_deliveries !== undefined
      ? analyzeTriageDistribution(context.recent_deliveries)
      : distributionFromCounts(incident.triage_distribution ?? {});
  return {
    transient_ratio: context.transient_ratio ?? fallback.transient_ratio,
    permanent_ratio: context.permanent_ratio ?? fallback.permanent_ratio,
  };
}

/** The guide's order: a person first, then the flood, then quick heals; RECOVER_BACKLOG last. */
export const DEFAULT_STRATEGY_PRIORITIES: Readonly<Record<Strategy, number>> = {
  ESCALATE_OPERATOR: 1,
  RATE_LIMIT_SOURCE: 2,
  REPLAY_RECENT: 3,
  SILENCE_DUPES: 4,
  DEFER_AND_MONITOR: 5,
  RECOVER_BACKLOG: 6,
};

export const DEFAULT_DUPLICATE_RATIO = 0.9;

/**
 * Every strategy that applies, the first by strategy_priorities wins. The failure-pattern tree
 * (failurePatternChoice) gives one of ESCALATE_OPERATOR, REPLAY_RECENT, DEFER_AND_MONITOR and
 * RECOVER_BACKLOG; RATE_LIMIT_SOURCE applies when detection named the incident's tenant as flooding (and it is
 * not throttled yet), SILENCE_DUPES when one error signature covers more than duplicate_ratio of its failures
 * and the tree would page or defer (not yet silenced). A critical
 * incident is the tree's alone (only an escalation or an approved recovery acts on it). The reason says
 * what was passed over and why.
 */
export function chooseStrategyWithReason(incident: IncidentLike, context: StrategyContext = {}): StrategyChoice {
  const tree = failurePatternChoice(incident, context);
  if (incident.severity === 'critical') return tree;
  const options = [tree, ...floodAndDuplicateChoices(incident, context, tree)];
  if (options.length === 1) return tree;
  const priorities = context.strategy_priorities ?? DEFAULT_STRATEGY_PRIORITIES;
  const rank = (choice: StrategyChoice) => priorities[choice.strategy] ?? Number.MAX_SAFE_INTEGER;
  const [chosen, ...passed] = [...options].sort((a, b) => rank(a) - rank(b));
  const over = passed.map((other) => `${other.strategy} (priority ${rank(other)}: ${other.reason})`).join('; ');
  return { strategy: chosen.strategy, reason: `${chosen.reason} (priority ${rank(chosen)}, chosen over ${over})` };
}

/** Only `tree`'s pages are silenced: a replay or a recovery heals the duplicates, and must not give way to a silence. */
const SILENCEABLE: readonly Strategy[] = ['DEFER_AND_MONITOR', 'ESCALATE_OPERATOR'];

function floodAndDuplicateChoices(incident: IncidentLike, context: StrategyContext, tree: StrategyChoice): StrategyChoice[] {
  const allowed = (strategy: Strategy) => !(context.disabled_strategies ?? []).includes(strategy);
  const choices: StrategyChoice[] = [];
  const floods =
    incident.flooding_tenant !== undefined && incident.flooding_tenant !== null && incident.flooding_tenant === incident.tenant_id;
  if (allowed('RATE_LIMIT_SOURCE') && floods && context.tenant_throttled !== true) {
    choices.push({
      strategy: 'RATE_LIMIT_SOURCE',
      reason:
        `Tenant ${incident.tenant_id} floods: ${pct(incident.tenant_failure_share ?? 0)} of all failures in the window, ` +
        `traffic ${incident.tenant_traffic_ratio ?? 0}x its baseline`,
    });
  }
  const duplicates = incident.error_signature;
  const ratio = context.duplicate_ratio ?? DEFAULT_DUPLICATE_RATIO;
  const silenceable = SILENCEABLE.includes(tree.strategy) && context.signature_silenced !== true;
  if (allowed('SILENCE_DUPES') && silenceable && duplicates && (incident.failures ?? 0) > 0 && duplicates.share > ratio) {
    choices.push({
      strategy: 'SILENCE_DUPES',
      reason:
        `Duplicate errors: ${pct(duplicates.share)} of ${duplicates.sampled} failures (> ${pct(ratio)}) ` +
        `share the signature "${duplicates.signature}"`,
    });
  }
  return choices;
}

/**
 * First match wins. With `backlog_recovery`, a transient outage a replay would not suit (sustained, too big,
 * critical, or untrusted) is recovered instead of deferred, escalated or skipped.
 */
function failurePatternChoice(incident: IncidentLike, context: StrategyContext): StrategyChoice {
  const t = STRATEGY_THRESHOLDS;
  const failures = incident.failures ?? 0;
  const { transient_ratio, permanent_ratio } = resolveRatios(incident, context);
  const maxBatch = context.max_batch ?? t.default_max_batch;
  const minFailures = context.min_failures ?? t.default_min_failures;
  const sustained = incident.kind === 'sustained_outage';
  const transient = transient_ratio > t.replay_transient_ratio;
  const recoverable = context.backlog_recovery === true && transient && incident.kind !== 'traffic_spike';
  const transientShare = `transient failures (${pct(transient_ratio)} > ${pct(t.replay_transient_ratio)})`;
  const mostlyTransient = `mostly ${transientShare}`;

  if (incident.severity === 'critical') {
    if (recoverable) return recover(`Critical transient outage (${failures} failures, ${mostlyTransient})`, context);
    return { strategy: 'ESCALATE_OPERATOR', reason: 'Critical incident: never healed automatically' };
  }
  if (failures > t.escalate_failures) {
    if (recoverable) {
      return recover(`Massive transient outage (${failures} > ${t.escalate_failures} failures, ${mostlyTransient})`, context);
    }
    return { strategy: 'ESCALATE_OPERATOR', reason: `Massive failure cluster (${failures} > ${t.escalate_failures} failures)` };
  }
  if (permanent_ratio > t.escalate_permanent_ratio) {
    return {
      strategy: 'ESCALATE_OPERATOR',
      reason: `Mostly permanent failures (${pct(permanent_ratio)} > ${pct(t.escalate_permanent_ratio)})`,
    };
  }
  if (recoverable && sustained) return recover(`Sustained outage, ${mostlyTransient}`, context);
  if (incident.kind === 'traffic_spike' || failures < minFailures) {
    const reason =
      incident.kind === 'traffic_spike'
        ? `Traffic spike without a failure pattern (${failures} failures)`
        : `Too few failures for a pattern (${failures} < ${minFailures})`;
    return deferOrEscalate(reason, context);
  }
  if (recoverable && failures > maxBatch) {
    return recover(`Transient outage too big to replay at once (${failures} > ${maxBatch}), ${mostlyTransient}`, context);
  }
  if (recoverable) {
    const untrusted = replayUntrusted(incident, context);
    if (untrusted) return recover(`Mostly ${transientShare}, ${untrusted}`, context);
  }
  if (transient && failures <= maxBatch) {
    return {
      strategy: 'REPLAY_RECENT',
      reason: `Mostly ${transientShare}, small batch (${failures} <= ${maxBatch})`,
    };
  }
  const why = transient
    ? `too many to replay at once (${failures} > ${maxBatch})`
    : `transient ${pct(transient_ratio)}, permanent ${pct(permanent_ratio)}`;
  return deferOrEscalate(`Unclear pattern: ${why}`, context);
}

function replayUntrusted(incident: IncidentLike, context: StrategyContext): string | null {
  const probability = predictOutcomeProbability(incident, 'REPLAY_RECENT', context);
  const min = context.replay_min_confidence ?? STRATEGY_THRESHOLDS.default_replay_min_confidence;
  if (probability >= min) return null;
  const history = isNumber(context.endpoint_success_rate)
    ? `replay success rate ${pct(clamp(context.endpoint_success_rate))}`
    : 'no replay history for the endpoint';
  return `${history} (REPLAY_RECENT confidence ${probability.toFixed(2)} < ${min.toFixed(2)})`;
}

function recover(why: string, context: StrategyContext): StrategyChoice {
  const attempts = context.ineffective_attempts ?? 0;
  const max = context.max_ineffective_attempts ?? STRATEGY_THRESHOLDS.default_max_ineffective_attempts;
  if (attempts >= max) {
    return { strategy: 'ESCALATE_OPERATOR', reason: `Recovery did not work ${attempts} times (max ${max}): ${why}` };
  }
  return { strategy: 'RECOVER_BACKLOG', reason: `${why}: probe, then drain the backlog once the endpoint answers` };
}

function deferOrEscalate(reason: string, context: StrategyContext): StrategyChoice {
  const maxDeferrals = context.max_deferrals ?? STRATEGY_THRESHOLDS.default_max_deferrals;
  const deferrals = context.deferrals ?? 0;
  if (deferrals >= maxDeferrals) {
    return {
      strategy: 'ESCALATE_OPERATOR',
      reason: `Deferred ${deferrals} times without a clearer pattern (max ${maxDeferrals}): ${reason}`,
    };
  }
  return { strategy: 'DEFER_AND_MONITOR', reason };
}

export function chooseStrategy(incident: IncidentLike, context: StrategyContext = {}): Strategy {
  return chooseStrategyWithReason(incident, context).strategy;
}

/**
 * 0..1, two decimals. REPLAY_RECENT: (base + success_rate) / 2. RECOVER_BACKLOG sends only after a probe got a
 * 2xx, so history can raise it but not lower it: (base + max(base, success_rate)) / 2.
 */
export function predictOutcomeProbability(_incident: IncidentLike, strategy: Strategy, context: StrategyContext = {}): number {
  let probability = BASE_PROBABILITY[strategy];
  const rate = context.endpoint_success_rate;
  if (strategy === 'REPLAY_RECENT') {
    const successRate = isNumber(rate) ? clamp(rate) : UNKNOWN_SUCCESS_RATE;
    probability = (probability + successRate) / 2;
  }
  if (strategy === 'RECOVER_BACKLOG' && isNumber(rate)) {
    probability = (probability + Math.max(probability, clamp(rate))) / 2;
  }
  return Math.round((clamp(probability) + Number.EPSILON) * 100) / 100;
}

/** Without I/O: the engine's severity and confidence checks. */
export function shouldApplyAutoheal(incident: IncidentLike, strategy: Strategy, context: ApplyContext = {}): ApplyDecision {
  const approvalRequired = context.require_approval_for_critical ?? true;
  if (incident.severity === 'critical' && strategy !== 'ESCALATE_OPERATOR' && approvalRequired && context.approved !== true) {
    if (strategy === 'RECOVER_BACKLOG') {
      return {
        apply: false,
        check: 'severity',
        needs_approval: true,
        reason: 'Critical incident requires operator approval: RECOVER_BACKLOG waits for an approval',
      };
    }
    return {
      apply: false,
      check: 'severity',
      reason: `Critical incident requires operator approval (${strategy} not applied automatically)`,
    };
  }
  const probability = context.probability ?? predictOutcomeProbability(incident, strategy, context);
  const globalMin = context.min_confidence ?? 0.5;
  if (probability < globalMin) {
    return {
      apply: false,
      check: 'confidence',
      reason: `Confidence ${probability.toFixed(2)} below global minimum ${globalMin.toFixed(2)}`,
    };
  }
  const strategyMin = context.strategy_min_confidence;
  if (strategyMin !== undefined && probability < strategyMin) {
    return {
      apply: false,
      check: 'confidence',
      reason: `Confidence ${probability.toFixed(2)} below ${strategy} minimum ${strategyMin.toFixed(2)}`,
    };
  }
  return { apply: true };
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function clamp(value: number): number {
  return Math.min(1, Math.max(0, value));
}

function pct(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

export class RuleBasedPredictor extends StrategyPredictor {
  chooseStrategy(incident: IncidentLike, context: StrategyContext): StrategyChoice {
    return chooseStrategyWithReason(incident, context);
  }

  predictOutcomeProbability(incident: IncidentLike, strategy: Strategy, context: StrategyContext): number {
    return predictOutcomeProbability(incident, strategy, context);
  }

  shouldApply(incident: IncidentLike, strategy: Strategy, context: ApplyContext): ApplyDecision {
    return shouldApplyAutoheal(incident, strategy, context);
  }
}
