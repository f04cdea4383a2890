import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../../audit/audit-log.port';
import { Clock } from '../../clock/clock';
import { ReplayLedger } from '../../replay/replay-ledger.port';
import { Replayer } from '../../replay/replayer.port';
import { EndpointLease, replayRequestFor } from '../../replay/replay.types';
import { TargetGuard } from '../../replay/target-guard';
import { AUTOHEAL_OPERATOR, auditAction } from './autoheal-audit';
import { baseAction, ExecutionOutcome, ExecutionPlan, StrategyExecutor } from './strategy-executor';

/**
 * REPLAY_RECENT through M7/M9. The cycle first takes the endpoint's healing lease (a fencing
 * number in PostgreSQL) and records the heal intent; then each delivery is claimed before it is
 * sent (the claim's unique key, and the lease's fence, are what stop a second instance, a second
 * cycle after a crash or after the cycle lock was lost, from sending it again), sent, settled.
 * Sends go one at a time: the endpoint is only just recovering, and a burst of 25 parallel
 * requests is how it falls over again. The first send is a canary: the rest of the batch follows
 * only if it got a 2xx, so an endpoint still down gets one request, not the whole batch.
 */
@Injectable()
export class ReplayExecutor extends StrategyExecutor {
  readonly strategy = 'REPLAY_RECENT' as const;
  private readonly logger = new Logger(ReplayExecutor.name);

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

    // A send takes at most REPLAY_TIMEOUT_MS, and abandon_pending_after_seconds is at least twice that;
    // every claim extends the lease by this much.
    const leaseMs = plan.rules.cycle.abandon_pending_after_seconds * 1000;
    const { tenant_id: tenantId, endpoint } = plan.incident;
    const lease = await this.ledger.acquireEndpointLease(tenantId, endpoint, plan.cycleId, leaseMs);
    if (!lease) {
      return {
        skipped: {
          check: 'endpoint_lease',
          reason: "Another healing cycle holds this endpoint's healing lease and is replaying to it now",
        },
      };
    }
    try {
      // The heal intent (cooldown, hourly count) is recorded before the first send, so a cycle that
      // comes next, even one that wrongly holds the cycle lock, finds the endpoint cooling down.
      await plan.state.recordHeal(endpoint, plan.limits.cooldown_minutes ?? 0);
      const sent = await this.sendEach(ids, plan, lease);
      if (sent.replayed.length === 0 && !sent.error) {
        return {
          skipped: {
            check: 'replay_claim',
            reason: `None of ${ids.length} deliveries could be claimed: already being replayed, or no longer failed`,
          },
        };
      }
      const { error, not_sent: notSent, ...sentDetails } = sent;
      // The canary failed: the rest waits for RECOVER_BACKLOG's probes instead of going into an endpoint still down.
      const details = { ...sentDetails, ...(notSent.length > 0 && { canary_failed: true, not_sent: notSent }) };
      await auditAction(this.audit, 'autoheal_replay', plan, { ...details, ...(error ? { error } : {}) });
      return { taken: { ...baseAction(plan, true), ...details, count: sent.replayed.length, ...(error ? { error } : {}) } };
    } finally {
      await this.ledger.releaseEndpointLease(lease).catch((error: unknown) => {
        // It expires on its own; until then the endpoint waits, nothing is sent twice.
        this.logger.warn(`Healing lease of ${endpoint} not released: ${error instanceof Error ? error.message : error}`);
      });
    }
  }

  /**
   * Claim (fenced by the endpoint's lease, audited in the same transaction), send, settle, one
   * delivery at a time; stops at the first storage error (nothing more is claimed).
   */
  private async sendEach(ids: string[], plan: ExecutionPlan, lease: EndpointLease) {
    const result = {
      replayed: [] as string[],
      delivered: [] as string[],
      still_failing: [] as string[],
      not_claimed: [] as string[],
      not_sent: [] as string[],
      error: undefined as string | undefined,
    };
    const audit = plan.rules.global_safety.audit_all_actions;
    for (const [index, id] of ids.entries()) {
      if (result.replayed.length === 1 && result.delivered.length === 0) {
        result.not_sent = ids.slice(index);
        break;
      }
      try {
        const claim = await this.ledger.claim(id, {
          cycleId: plan.cycleId,
          cycleStartedAt: plan.now,
          actor: AUTOHEAL_OPERATOR,
          now: this.clock.now(),
          lease,
          audit,
          strategy: 'REPLAY_RECENT',
        });
        if (!claim) {
          result.not_claimed.push(id);
          continue;
        }
        const response = await this.replayer.send(replayRequestFor(claim));
        result.replayed.push(id);
        // A null settlement means the claim was marked abandoned meanwhile: the outcome is unknown to the ledger.
        const settled = await this.ledger.settle(claim, response, this.clock.now());
        (response.ok && settled ? result.delivered : result.still_failing).push(id);
      } catch (error) {
        // A claimed attempt left unsettled stays `pending`, then `abandoned`: visible, never re-sent.
        result.error =
          `Stopped after ${result.replayed.length} of ${ids.length}: ` + `${error instanceof Error ? error.message : String(error)}`;
        break;
      }
    }
    return result;
  }
}
