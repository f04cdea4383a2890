import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../../audit/audit-log.port';
import { EscalationService } from '../../escalation/escalation.service';
import { Notifier } from '../../escalation/notifier.port';
import { DeferralStore } from '../../deferrals/deferral-store.port';
import { auditAction } from './autoheal-audit';
import { baseAction, ExecutionOutcome, ExecutionPlan, followUp, StrategyExecutor } from './strategy-executor';

/**
 * ESCALATE_OPERATOR: an operator incident (one unresolved per tenant+endpoint) and a
 * notification. A recurring incident bumps the open escalation instead of paging again.
 */
@Injectable()
export class EscalateExecutor extends StrategyExecutor {
  readonly strategy = 'ESCALATE_OPERATOR' as const;
  private readonly logger = new Logger(EscalateExecutor.name);

  constructor(
    private readonly escalations: EscalationService,
    private readonly notifier: Notifier,
    private readonly deferrals: DeferralStore,
    private readonly audit: AuditLog,
  ) {
    super();
  }

  async execute(plan: ExecutionPlan): Promise<ExecutionOutcome> {
    const { incident } = plan;
    const priority = incident.severity === 'critical' ? 'critical' : (plan.limits.priority ?? 'high');
    const message = `Escalated incident for ${incident.endpoint} – requires operator review`;
    const existing = await this.escalations.findUnresolved(incident.tenant_id, incident.endpoint);
    // Someone already knows (or chose silence): bump the escalation, do not page again.
    if (existing && (existing.notified_at || plan.limits.skip_notifications)) {
      if (!plan.dryRun) await this.escalations.open({ incident, priority, reason: plan.rationale, now: plan.now });
      return {
        skipped: {
          check: 'already_escalated',
          reason: `Already escalated (escalation ${existing.id}, ${existing.status} since ${new Date(existing.created_at).toISOString()}); awaiting operator`,
        },
      };
    }
    if (plan.dryRun) return { taken: { ...baseAction(plan, false), would_escalate: true, created_incident: !existing, priority, message } };

    // New, or open but its page never went out (the notifier failed): (re)open and page.
    const { escalation, created } = await this.escalations.open({ incident, priority, reason: plan.rationale, now: plan.now });
    const notification = plan.limits.skip_notifications ? { notified: false } : await this.page(escalation.id, escalation.priority, message, plan);
    const failed: string[] = [];
    await followUp('deferrals not closed', () => this.deferrals.close(incident.tenant_id, incident.endpoint, 'escalated'), failed);
    const details = { created_incident: created, escalation_id: escalation.id, priority: escalation.priority, ...notification };
    await auditAction(this.audit, 'autoheal_escalate', plan, details);
    return { taken: { ...baseAction(plan, true), ...details, message }, failed };
  }

  /** The escalation stands even when the page fails; the next cycle tries the page again. */
  private async page(escalationId: string, priority: string, message: string, plan: ExecutionPlan): Promise<{ notified: boolean; notification_error?: string }> {
    const { incident } = plan;
    try {
      await this.notifier.notify({
        title: `Auto-heal escalation: ${incident.endpoint}`,
        text: `${message}. ${plan.rationale}.`,
        severity: priority === 'critical' || priority === 'high' ? 'critical' : 'warning',
        tenant_id: incident.tenant_id,
        endpoint: incident.endpoint,
        escalation_id: escalationId,
        fields: {
          severity: incident.severity,
          failures: String(incident.failures),
          failure_rate: String(incident.failure_rate),
          most_common_error: incident.most_common_error ?? 'n/a',
        },
      });
      await this.escalations.markNotified(escalationId, plan.now);
      return { notified: true };
    } catch (error) {
      const notificationError = error instanceof Error ? error.message : String(error);
      this.logger.error(`Notification for escalation ${escalationId} failed: ${notificationError}`);
      return { notified: false, notification_error: notificationError };
    }
  }
}
