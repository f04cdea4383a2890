import { Injectable } from '@nestjs/common';
import { AuditLog } from '../../audit/audit-log.port';
import { IncidentStore } from '../../incidents/incident-store.port';
import { SYSTEM_ACTOR } from '../../incidents/incident-lifecycle';
import { effectiveLimits } from '../../rules/effective-limits';
import { TenantThrottles } from '../../throttles/tenant-throttles.service';
import { AUTOHEAL_OPERATOR, auditAction } from './autoheal-audit';
import { EscalateExecutor } from './escalate.executor';
import { baseAction, ExecutionOutcome, ExecutionPlan, StrategyExecutor } from './strategy-executor';

/**
 * RATE_LIMIT_SOURCE: the tenant detection named as flooding is throttled by throttle_factor for duration_minutes
 * (coordination with a TTL, and PostgreSQL for the record). Dispatchers read it (GET /autoheal/throttles, the
 * POST /deliveries answer) and the service's own drains and recoveries for the tenant slow down by the factor.
 * A throttle longer than approval_above_minutes asks an operator first (the safety table's throttle_approval).
 */
@Injectable()
export class RateLimitExecutor extends StrategyExecutor {
  readonly strategy = 'RATE_LIMIT_SOURCE' as const;

  constructor(
    private readonly throttles: TenantThrottles,
    private readonly incidents: IncidentStore,
    private readonly escalate: EscalateExecutor,
    private readonly audit: AuditLog,
  ) {
    super();
  }

  async execute(plan: ExecutionPlan): Promise<ExecutionOutcome> {
    const { incident, limits } = plan;
    const tenantId = incident.tenant_id;
    const factor = limits.throttle_factor ?? 0.5;
    const durationMinutes = limits.duration_minutes ?? 30;
    const until = new Date(plan.now.getTime() + durationMinutes * 60_000);
    const current = await this.throttles.get(tenantId, plan.now);
    if (current && new Date(current.until) >= until && current.factor <= factor) {
      return {
        skipped: {
          check: 'already_throttled',
          reason: `Tenant ${tenantId} is already throttled to ${current.factor} until ${current.until}`,
        },
      };
    }
    const throttle = { tenant_id: tenantId, factor, duration_minutes: durationMinutes, until: until.toISOString() };
    const message = `Throttled tenant ${tenantId} to ${factor} of its rate for ${durationMinutes} minutes`;
    if (plan.dryRun) {
      await plan.state.recordHeal(incident.endpoint, limits.cooldown_minutes ?? 0);
      return { taken: { ...baseAction(plan, false), would_throttle: throttle, message: `Would throttle tenant ${tenantId}` } };
    }
    const applied = await this.throttles.apply({
      tenantId,
      factor,
      durationMinutes,
      reason: plan.rationale,
      actor: AUTOHEAL_OPERATOR,
      now: plan.now,
      incidentId: plan.record?.id ?? null,
    });
    await plan.state.recordHeal(incident.endpoint, limits.cooldown_minutes ?? 0);
    const details = { throttle: { ...throttle, until: applied.until } };
    await auditAction(this.audit, 'autoheal_rate_limit', plan, details);
    return { taken: { ...baseAction(plan, true), ...details, message } };
  }

  /** A throttle above approval_above_minutes: an approval carrying the throttle, and a page naming it. */
  override async awaitApproval(plan: ExecutionPlan, reason: string): Promise<ExecutionOutcome> {
    const { incident, limits } = plan;
    const throttle = {
      tenant_id: incident.tenant_id,
      factor: limits.throttle_factor ?? 0.5,
      duration_minutes: limits.duration_minutes ?? 30,
    };
    const approvalPlan = { count: 0, oldest_at: null, target: incident.endpoint, throttle };
    const escalation: ExecutionPlan = {
      ...plan,
      strategy: 'ESCALATE_OPERATOR',
      limits: effectiveLimits(plan.rules, 'ESCALATE_OPERATOR', incident.tenant_id),
      rationale: reason,
      approval: { id: null, plan: approvalPlan, expires_at: null },
    };
    if (plan.dryRun || !plan.record) return this.escalate.execute(escalation);
    const request = { plan: approvalPlan, ttlMinutes: plan.rules.approvals.ttl_minutes, actor: SYSTEM_ACTOR, cycleId: plan.cycleId };
    const { approval, created } = await this.incidents.requestApproval(plan.record.id, request, plan.now);
    if (!created)
      return {
        skipped: { check: 'awaiting_approval', reason: `Approval ${approval.id} pending until ${approval.expires_at.toISOString()}` },
      };
    const record = { ...plan.record, state: 'awaiting_approval' as const, approval_id: approval.id };
    return this.escalate.execute({
      ...escalation,
      record,
      approval: { id: approval.id, plan: approval.plan, expires_at: approval.expires_at },
    });
  }
}
