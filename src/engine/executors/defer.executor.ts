import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../../audit/audit-log.port';
import { Notifier } from '../../escalation/notifier.port';
import { DeferralStore } from '../../deferrals/deferral-store.port';
import { auditAction, signatureOf } from './autoheal-audit';
import { baseAction, ExecutionOutcome, ExecutionPlan, StrategyExecutor } from './strategy-executor';

/**
 * DEFER_AND_MONITOR: wait for a clearer pattern. The deferral is recorded with a recheck time
 * (the scheduler runs a cycle then); the second consecutive deferral alerts a person, and the
 * engine escalates instead of deferring a fourth time.
 */
@Injectable()
export class DeferExecutor extends StrategyExecutor {
  readonly strategy = 'DEFER_AND_MONITOR' as const;
  private readonly logger = new Logger(DeferExecutor.name);

  constructor(
    private readonly deferrals: DeferralStore,
    private readonly notifier: Notifier,
    private readonly audit: AuditLog,
  ) {
    super();
  }

  async execute(plan: ExecutionPlan): Promise<ExecutionOutcome> {
    const { incident, limits } = plan;
    const delaySeconds = limits.recheck_delay_seconds ?? 120;
    const message = `Deferred ${incident.endpoint} for ${delaySeconds}s`;
    if (plan.dryRun) {
      return {
        taken: {
          ...baseAction(plan, false),
          would_defer: true,
          recheck_after_seconds: delaySeconds,
          deferrals: (plan.deferral?.deferrals ?? 0) + 1,
          message,
        },
      };
    }

    const deferral = await this.deferrals.record(
      incident.tenant_id,
      incident.endpoint,
      plan.now,
      new Date(plan.now.getTime() + delaySeconds * 1000),
    );
    let notified = false;
    const alertAfter = limits.alert_after_deferrals ?? 2;
    if (deferral.deferrals >= alertAfter && !deferral.notified_at && !limits.skip_notifications) {
      try {
        await this.notifier.notify({
          title: `Auto-heal deferred ${incident.endpoint} ${deferral.deferrals} times`,
          text:
            `${incident.endpoint} (tenant ${incident.tenant_id}) still shows no clear pattern after ` +
            `${deferral.deferrals} deferrals: ${plan.rationale}. It will be escalated after ${limits.max_deferrals ?? 3}.`,
          severity: 'warning',
          tenant_id: incident.tenant_id,
          endpoint: incident.endpoint,
          signature: signatureOf(incident),
        });
        await this.deferrals.markNotified(incident.tenant_id, incident.endpoint, plan.now);
        notified = true;
      } catch (error) {
        this.logger.error(`Deferral alert for ${incident.endpoint} failed: ${error instanceof Error ? error.message : error}`);
      }
    }
    const details = { recheck_after_seconds: delaySeconds, deferrals: deferral.deferrals, notified };
    await auditAction(this.audit, 'autoheal_defer', plan, details);
    return { taken: { ...baseAction(plan, true), ...details, message } };
  }
}
