import type { Strategy } from '../rules/rules.types';

/** What the recorded incident looked like, where the outcome is tied to one. */
export interface OutcomeIncident {
  id: string;
  kind: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  /** Its backlog when last seen: the failures it was about. */
  failures: number;
  ineffective_attempts: number;
}

/** One decision of the past and how it ended: a heal's result or an operator's verdict on it. */
export interface StrategyOutcome {
  strategy: Strategy;
  tenant_id: string;
  endpoint: string;
  at: Date;
  success: boolean;
  /** Where it was read: `replay`, `recovery`, `escalation`, `approval`, `deferral`, `throttle`, `silence`. */
  source: string;
  incident: OutcomeIncident | null;
}

/** The training data of the LearnedPredictor: the audit trail of heals and operators' decisions. */
export abstract class OutcomeHistory {
  /** Oldest first; `at` in [since, until). */
  abstract outcomes(since: Date, until: Date): Promise<StrategyOutcome[]>;
}

export class FixedOutcomeHistory extends OutcomeHistory {
  constructor(private readonly recorded: StrategyOutcome[] = []) {
    super();
  }

  record(...outcomes: StrategyOutcome[]): void {
    this.recorded.push(...outcomes);
  }

  async outcomes(since: Date, until: Date): Promise<StrategyOutcome[]> {
    return this.recorded.filter((o) => o.at >= since && o.at < until).sort((a, b) => a.at.getTime() - b.at.getTime());
  }
}
