import type { Incident } from '../../anomalies/incident';
import type { FailureSummary } from '../../deliveries/delivery-store.port';
import type { EffectiveLimits } from '../../rules/effective-limits';
import type { AutohealRules, Strategy } from '../../rules/rules.types';
import type { ActionTaken } from '../cycle-result';
import type { CycleState } from '../cycle-state';
import type { Deferral } from '../../deferrals/deferral-store.port';
import type { ApprovalPlan, IncidentRecord } from '../../incidents/incident';

/** Everything an executor needs about one incident that passed the safety checks. */
export interface ExecutionPlan {
  cycleId: string;
  now: Date;
  dryRun: boolean;
  rules: AutohealRules;
  incident: Incident;
  strategy: Strategy;
  probability: number;
  rationale: string;
  limits: EffectiveLimits;
  /** REPLAY_RECENT: the deliveries selected by selectReplayCandidates. */
  replayCandidates: FailureSummary[];
  deferral: Deferral | null;
  state: CycleState;
  /** The persisted incident it belongs to; null (or absent) in a dry run that met it first. */
  record?: IncidentRecord | null;
  /** ESCALATE_OPERATOR: the approval this page asks for (a critical incident waiting to be recovered). */
  approval?: { id: string | null; plan: ApprovalPlan; expires_at: Date | null };
  /** Many endpoints in incident at once: one storm page covers them, no page each. */
  storm?: boolean;
}

/**
 * `failed` names steps that failed after the action had happened (a cooldown not written because
 * Redis died): the action is still reported as taken, and the failure beside it.
 */
export type ExecutionOutcome = { taken: ActionTaken; failed?: string[] } | { skipped: { check: string; reason: string } };

/** Runs a step that follows an action that already happened; a failure is collected, not thrown. */
export async function followUp(what: string, step: () => Promise<unknown>, failed: string[]): Promise<void> {
  try {
    await step();
  } catch (error) {
    failed.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * One healing strategy. Each lives in its own class and is found by strategy name, so a new
 * strategy is a new executor in the registry and touches neither the engine nor the others.
 * A dry run must walk the same decisions and stop before every side effect.
 */
export abstract class StrategyExecutor {
  abstract readonly strategy: Strategy;
  abstract execute(plan: ExecutionPlan): Promise<ExecutionOutcome>;
  /**
   * A strategy the predictor holds back for an operator's approval (shouldApply's needs_approval):
   * ask for it instead. Strategies without it are simply skipped.
   */
  awaitApproval?(plan: ExecutionPlan, reason: string): Promise<ExecutionOutcome>;
}

export class StrategyExecutorRegistry {
  private readonly byStrategy: Map<Strategy, StrategyExecutor>;

  constructor(executors: StrategyExecutor[]) {
    this.byStrategy = new Map(executors.map((executor) => [executor.strategy, executor]));
  }

  get(strategy: Strategy): StrategyExecutor | undefined {
    return this.byStrategy.get(strategy);
  }
}

/** The action's common part, in the guide's shape. */
export function baseAction(plan: ExecutionPlan, executed: boolean): ActionTaken {
  const { incident } = plan;
  return {
    strategy: plan.strategy,
    probability: plan.probability,
    executed,
    ...(plan.dryRun ? { dry_run: true } : {}),
    incident: {
      tenant_id: incident.tenant_id,
      endpoint: incident.endpoint,
      severity: incident.severity,
      failures: incident.failures,
      kind: incident.kind,
    },
    rationale: plan.rationale,
  };
}
