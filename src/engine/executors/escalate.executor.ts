import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../../audit/audit-log.port';
import { EscalationService } from '../../escalation/escalation.service';
import { Notifier } from '../../escalation/notifier.port';
import { DeferralStore } from '../../deferrals/deferral-store.port';
import { ACTIVE_STATES, IncidentState } from '../../incidents/incident';
import { IncidentStore } from '../../incidents/incident-store.port';
import { SYSTEM_ACTOR } from '../../incidents/incident-lifecycle';
import { auditAction, signatureOf } from './autoheal-audit';
import { baseAction, ExecutionOutcome, ExecutionPlan, followUp, StrategyExecutor } from './strategy-executor';

/** The incident states an escalation moves to `escalated`: awaiting an approval stays as it is. */
const ESCALATABLE: readonly IncidentState[] = ACTIVE_STATES.filter((s) => s !== 'awaiting_approval' && s !== 'escalated');

/**
 * ESCALATE_OPERATOR: an operator incident (one unresolved per tenant+endpoint) and a
 * notification. A recurring incident bumps the open escalation instead of paging again. A page that
 * asks for an approval always goes out (the approval is new) and names it and its plan. During a
 * storm the storm page covers every endpoint: the escalation is opened without a page of its own.
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
    private readonly incidents: IncidentStore,
  ) {
    super();
  }

  async execute(plan: ExecutionPlan): Promise<ExecutionOutcome> {
    const { incident } = plan;
    const priority = incident.severity === 'critical' ? 'critical' : (plan.limits.priority ?? 'high');
    const { approval } = plan;
    const message = approval
      ? `Escalated incident for ${incident.endpoint} – ${approval.plan.throttle ? 'throttling its tenant' : 'recovering it'} ` +
        `awaits operator approval${approval.id ? ` ${approval.id}` : ''}`
      : `Escalated incident for ${incident.endpoint} – requires operator review`;
    const existing = await this.escalations.findUnresolved(incident.tenant_id, incident.endpoint);
    // Someone already knows (or chose silence): bump the escalation, do not page again.
    if (existing && !approval && (existing.notified_at || plan.limits.skip_notifications)) {
      if (!plan.dryRun) await this.escalations.open({ incident, priority, reason: plan.rationale, now: plan.now });
      return {
        skipped: {
          check: 'already_escalated',
          reason:
            `Already escalated (escalation ${existing.id}, ${existing.status} since ` +
            `${new Date(existing.created_at).toISOString()}); awaiting operator`,
        },
      };
    }
    const approvalDetails = approval ? { approval_id: approval.id, approval_plan: approval.plan } : {};
    if (plan.dryRun) {
      const wouldEscalate = { would_escalate: true, created_incident: !existing, priority, ...approvalDetails, message };
      return { taken: { ...baseAction(plan, false), ...wouldEscalate } };
    }

    // New, or open but its page never went out (the notifier failed): (re)open and page.
    const { escalation, created } = await this.escalations.open({ incident, priority, reason: plan.rationale, now: plan.now });
    let notification: { notified: boolean; notification_error?: string; storm?: true } = { notified: false };
    if (plan.storm) {
      await this.escalations.markNotified(escalation.id, plan.now);
      notification = { notified: false, storm: true };
    } else if (!plan.limits.skip_notifications) {
      notification = await this.page(escalation.id, escalation.priority, message, plan);
    }
    const failed: string[] = [];
    await followUp('deferrals not closed', () => this.deferrals.close(incident.tenant_id, incident.endpoint, 'escalated'), failed);
    const details = {
      created_incident: created,
      escalation_id: escalation.id,
      priority: escalation.priority,
      ...approvalDetails,
      ...notification,
    };
    await followUp('incident not moved to escalated', () => this.followIncident(plan, escalation.id, details), failed);
    await auditAction(this.audit, 'autoheal_escalate', plan, details);
    return { taken: { ...baseAction(plan, true), ...details, message }, failed };
  }

  /** The persisted incident moves to `escalated` (one awaiting approval stays there) and its timeline gets the page. */
  private async followIncident(plan: ExecutionPlan, escalationId: string, details: Record<string, unknown>): Promise<void> {
    const { record } = plan;
    if (!record) return;
    const detail = { reason: plan.rationale, ...details };
    const event = { type: 'paged' as const, at: plan.now, actor: SYSTEM_ACTOR, cycleId: plan.cycleId, detail };
    const to = record.state === 'awaiting_approval' || plan.approval ? 'awaiting_approval' : 'escalated';
    const from = to === 'awaiting_approval' ? ['awaiting_approval' as const] : [...ESCALATABLE, 'escalated' as const];
    const moved = await this.incidents.transition(record.id, from, to, { escalation_id: escalationId }, event);
    if (!moved) this.logger.warn(`Incident ${record.id} was no longer ${from.join('/')} when escalation ${escalationId} was opened`);
  }

  /** The escalation stands even when the page fails; the next cycle tries the page again. */
  private async page(
    escalationId: string,
    priority: string,
    message: string,
    plan: ExecutionPlan,
  ): Promise<{ notified: boolean; notification_error?: string }> {
    const { incident, approval } = plan;
    const throttle = approval?.plan.throttle;
    const what = throttle
      ? `throttling tenant ${throttle.tenant_id} to ${throttle.factor} of its rate for ${throttle.duration_minutes} minutes`
      : `recovering ${approval?.plan.count} deliveries (oldest ${approval?.plan.oldest_at ?? 'n/a'}) to ${approval?.plan.target}`;
    const ask = approval
      ? ` Approve ${what}: POST /autoheal/approvals/${approval.id}/approve (or /reject) before ${approval.expires_at?.toISOString()}.`
      : '';
    try {
      await this.notifier.notify({
        title: `Auto-heal escalation: ${incident.endpoint}`,
        text: `${message}. ${plan.rationale}.${ask}`,
        severity: priority === 'critical' || priority === 'high' ? 'critical' : 'warning',
        tenant_id: incident.tenant_id,
        endpoint: incident.endpoint,
        escalation_id: escalationId,
        signature: signatureOf(incident),
        fields: {
          severity: incident.severity,
          failures: String(incident.failures),
          failure_rate: String(incident.failure_rate),
          most_common_error: incident.most_common_error ?? 'n/a',
          ...(approval && {
            approval_id: String(approval.id),
            backlog: String(approval.plan.count),
            oldest_at: approval.plan.oldest_at ?? 'n/a',
            target: approval.plan.target,
          }),
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
