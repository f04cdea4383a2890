import { Injectable } from '@nestjs/common';
import { AuditLog } from '../../audit/audit-log.port';
import { Clock } from '../../clock/clock';
import { ReplayLedger } from '../../replay/replay-ledger.service';
import { Replayer } from '../../replay/replayer.port';
import { replayRequestFor } from '../../replay/replay.types';
import { TargetGuard } from '../../replay/target-guard';
import { AUTOHEAL_OPERATOR, auditAction } from './autoheal-audit';
import { baseAction, ExecutionOutcome, ExecutionPlan, StrategyExecutor } from './strategy-executor';

/**
 * REPLAY_RECENT through M7/M9. Each delivery is claimed in PostgreSQL before it is sent (the
 * claim's unique key is what stops a second instance, or a second cycle after a crash, from
 * sending it again), then sent, then settled. Sends go one at a time: the endpoint is only
 * just recovering, and a burst of 25 parallel requests is how it falls over again.
 */
@Injectable()
export class ReplayExecutor extends StrategyExecutor {
  readonly strategy = 'REPLAY_RECENT' as const;

  constructor(
    private readonly ledger: ReplayLedger,
    private readonly replayer: Replayer,
    private readonly targetGuard: TargetGuard,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {
    super();
  }

  async execute(plan: ExecutionPlan): Promise<ExecutionOutcome> {
    const ids = plan.replayCandidates.map((d) => d.id);
    const target = await this.targetGuard.check(plan.incident.endpoint);
    if (!target.allowed) return { skipped: { check: 'target_policy', reason: `Replay target refused: ${target.reason}` } };

    if (plan.dryRun) {
      await plan.state.recordHeal(plan.incident.endpoint, plan.limits.cooldown_minutes ?? 0);
      return { taken: { ...baseAction(plan, false), would_replay: ids, count: ids.length } };
    }

    const replayed: string[] = [];
    const delivered: string[] = [];
    const notClaimed: string[] = [];
    for (const id of ids) {
      const claim = await this.ledger.claim(id, { cycleId: plan.cycleId, actor: AUTOHEAL_OPERATOR, now: this.clock.now() });
      if (!claim) {
        notClaimed.push(id);
        continue;
      }
      const result = await this.replayer.send(replayRequestFor(claim));
      await this.ledger.settle(claim, result, this.clock.now());
      replayed.push(id);
      if (result.ok) delivered.push(id);
    }
    if (replayed.length === 0) {
      return { skipped: { check: 'replay_claim', reason: `None of ${ids.length} deliveries could be claimed: already being replayed, or no longer failed` } };
    }

    await plan.state.recordHeal(plan.incident.endpoint, plan.limits.cooldown_minutes ?? 0);
    const details = { replayed, delivered, still_failing: replayed.filter((id) => !delivered.includes(id)), not_claimed: notClaimed };
    await auditAction(this.audit, 'autoheal_replay', plan, details);
    return { taken: { ...baseAction(plan, true), ...details, count: replayed.length } };
  }
}
