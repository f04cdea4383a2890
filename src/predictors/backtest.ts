import type { Strategy } from '../rules/rules.types';
import { BetaPosteriors, LEARNED_DEFAULTS, LearnedPredictor } from './learned-predictor.adapter';
import type { StrategyOutcome } from './outcome-history.port';
import { RuleBasedPredictor } from './rule-based-predictor.adapter';
import type { IncidentLike, StrategyContext } from './strategy-predictor.port';

export interface BacktestRow {
  at: string;
  tenant_id: string;
  endpoint: string;
  source: string;
  /** What was done, and whether it worked. */
  observed_strategy: Strategy;
  observed_success: boolean;
  rules_decision: Strategy;
  learned_decision: Strategy;
  /** Each predictor's probability that the observed strategy works here. */
  rules_p: number;
  learned_p: number;
}

export interface BacktestReport {
  rows: BacktestRow[];
  /** Mean of (p − outcome)², lower is better; null without rows. */
  brier: { rules: number | null; learned: number | null };
  trained_on: number;
}

/** What a recorded incident tells the predictors: its kind, severity and size; the rest is unknown. */
function incidentOf(outcome: StrategyOutcome): IncidentLike {
  const recorded = outcome.incident;
  return {
    tenant_id: outcome.tenant_id,
    endpoint: outcome.endpoint,
    kind: (recorded?.kind as IncidentLike['kind']) ?? 'failure_burst',
    severity: recorded?.severity ?? 'medium',
    failures: recorded?.failures ?? 0,
  };
}

/**
 * Replays the recorded outcomes in time order through both predictors. The learned one starts from the outcomes
 * before the window (`training`) and learns each outcome only after it has been scored, as it would have live.
 */
export function runBacktest(training: readonly StrategyOutcome[], scored: readonly StrategyOutcome[]): BacktestReport {
  const rules = new RuleBasedPredictor();
  const seen = [...training];
  const learned = new LearnedPredictor(null, LEARNED_DEFAULTS, seen);
  const posteriors = new BetaPosteriors(seen);
  const rows: BacktestRow[] = [];
  for (const outcome of scored) {
    const incident = incidentOf(outcome);
    const context: StrategyContext = {
      // Whether backlog recovery was on for the incident is not recorded; it was where it was used.
      backlog_recovery: outcome.strategy === 'RECOVER_BACKLOG',
      ineffective_attempts: outcome.incident?.ineffective_attempts ?? 0,
      // Without the recorded failures' triage, the strategy that was taken is the best evidence of the pattern.
      ...(outcome.strategy === 'REPLAY_RECENT' || outcome.strategy === 'RECOVER_BACKLOG' ? { transient_ratio: 1, permanent_ratio: 0 } : {}),
      ...(outcome.strategy === 'ESCALATE_OPERATOR' ? { transient_ratio: 0, permanent_ratio: 1 } : {}),
    };
    rows.push({
      at: outcome.at.toISOString(),
      tenant_id: outcome.tenant_id,
      endpoint: outcome.endpoint,
      source: outcome.source,
      observed_strategy: outcome.strategy,
      observed_success: outcome.success,
      rules_decision: rules.chooseStrategy(incident, context).strategy,
      learned_decision: learned.chooseStrategy(incident, context).strategy,
      rules_p: rules.predictOutcomeProbability(incident, outcome.strategy, context),
      learned_p: Math.round(posteriors.of(outcome.strategy, outcome.tenant_id, outcome.endpoint).mean * 100) / 100,
    });
    posteriors.observe(outcome);
    seen.push(outcome);
    learned.calibrate(seen);
  }
  const brier = (p: (row: BacktestRow) => number) =>
    rows.length === 0 ? null : rows.reduce((sum, row) => sum + (p(row) - (row.observed_success ? 1 : 0)) ** 2, 0) / rows.length;
  return { rows, brier: { rules: brier((r) => r.rules_p), learned: brier((r) => r.learned_p) }, trained_on: training.length };
}

/** `24h`, `90m`, `7d` → milliseconds; null when it is none of those. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)([mhd])$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
}

export function formatBacktest(report: BacktestReport, since: Date, until: Date): string {
  const header = ['at', 'tenant', 'endpoint', 'observed', 'worked', 'rules decision', 'learned decision', 'rules p', 'learned p'];
  const lines = report.rows.map((r) => [
    r.at,
    r.tenant_id,
    r.endpoint,
    r.observed_strategy,
    r.observed_success ? 'yes' : 'no',
    r.rules_decision,
    r.learned_decision,
    r.rules_p.toFixed(2),
    r.learned_p.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const score = (b: number | null) => (b === null ? 'n/a' : b.toFixed(4));
  const worked = report.rows.filter((r) => r.observed_success).length;
  return [
    `Backtest ${since.toISOString()} .. ${until.toISOString()}: ${report.rows.length} recorded outcomes (${worked} worked), ` +
      `learned predictor trained on ${report.trained_on} earlier ones`,
    '',
    row(header),
    row(widths.map((w) => '-'.repeat(w))),
    ...lines.map(row),
    '',
    `Brier score (lower is better): rules ${score(report.brier.rules)}   learned ${score(report.brier.learned)}`,
    `Decisions that differ: ${report.rows.filter((r) => r.rules_decision !== r.learned_decision).length} of ${report.rows.length}`,
  ].join('\n');
}
