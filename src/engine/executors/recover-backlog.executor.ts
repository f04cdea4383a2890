import { Injectable } from '@nestjs/common';
import { AuditLog } from '../../audit/audit-log.port';
import { Clock } from '../../clock/clock';
import type { IncidentRecord } from '../../incidents/incident';
import { IncidentStore, NewIncidentEvent } from '../../incidents/incident-store.port';
import { SYSTEM_ACTOR } from '../../incidents/incident-lifecycle';
import { AutohealMetrics } from '../../metrics/autoheal-metrics.service';
import { DrainQueue } from '../../recovery/drain-queue.port';
import { IncidentBacklog } from '../../recovery/incident-backlog.service';
import { IncidentRecovery } from '../../recovery/incident-recovery.service';
import { TargetGuard } from '../../replay/target-guard';
import { effectiveLimits } from '../../rules/effective-limits';
import { drainStartProblem } from '../safety-checks';
import { auditAction } from './autoheal-audit';
import { EscalateExecutor } from './escalate.executor';
import { baseAction, ExecutionOutcome, ExecutionPlan, StrategyExecutor } from './strategy-executor';

/** The incident a dry run has not persisted: what it would be once opened. */
function scopeOf(plan: ExecutionPlan): Pick<IncidentRecord, 'tenant_id' | 'endpoint' | 'first_failure_at'> {
  return plan.record ?? { tenant_id: plan.incident.tenant_id, endpoint: plan.incident.endpoint, first_failure_at: recentWindowStart(plan) };
}

/** Where an incident's backlog starts when detection opens it: the recent window in which it was seen. */
export function recentWindowStart(plan: Pick<ExecutionPlan, 'now' | 'rules'>): Date {
  return new Date(plan.now.getTime() - plan.rules.detection.recent_window_minutes * 60_000);
}

/**
 * RECOVER_BACKLOG: open → probing; while probing, one real failed delivery (the oldest of the
 * backlog) every probe_interval_seconds, claimed and settled like every replay; its first 2xx moves the
 * incident to draining and queues the drain job (IncidentDrainRunner does the paced drain). A drain
 * is one heal in the hourly cap; probes are not counted. At most storm.max_concurrent_drains incidents
 * drain at once, counted in the store so the cap holds across instances (drainStartProblem).
 */
@Injectable()
export class RecoverBacklogExecutor extends StrategyExecutor {
  readonly strategy = 'RECOVER_BACKLOG' as const;

  constructor(
    private readonly incidents: IncidentStore,
    private readonly backlog: IncidentBacklog,
    private readonly drains: DrainQueue,
    private readonly targetGuard: TargetGuard,
    private readonly escalate: EscalateExecutor,
    private readonly audit: AuditLog,
    private readonly metrics: AutohealMetrics,
    private readonly clock: Clock,
    private readonly recovery: IncidentRecovery,
  ) {
    super();
  }

  async execute(plan: ExecutionPlan): Promise<ExecutionOutcome> {
    const target = await this.targetGuard.check(plan.incident.endpoint);
    if (!target.allowed) return { skipped: { check: 'target_policy', reason: `Recovery target refused: ${target.reason}` } };
    if (plan.dryRun) {
      const state = plan.record?.state ?? 'open';
      const wouldDrain = await this.backlog.summary(scopeOf(plan), plan.limits);
      const { endpoint } = plan.incident;
      const message = state === 'draining' ? `Would keep draining ${endpoint}` : `Would probe ${endpoint}, then drain it`;
      return { taken: { ...baseAction(plan, false), would_probe: state !== 'draining', would_drain: wouldDrain, count: 0, message } };
    }
    if (!plan.record) return { skipped: { check: 'incident_state', reason: `No incident to recover for ${plan.incident.endpoint}` } };
    let record = plan.record;
    if (record.state === 'open') {
      const started = this.event(plan, 'state_changed', { reason: plan.rationale });
      const moved = await this.incidents.transition(record.id, ['open'], 'probing', { next_probe_at: plan.now }, started);
      if (!moved)
        return { skipped: { check: 'incident_state', reason: `Incident ${record.id} moved on meanwhile; the next cycle follows it` } };
      record = moved;
    }
    if (record.state === 'probing') return this.probe(record, plan);
    if (record.state === 'draining') {
      await this.drains.enqueue({ kind: 'incident', id: record.id });
      return { taken: { ...baseAction(plan, true), incident_id: record.id, state: 'draining', message: `Draining ${record.endpoint}` } };
    }
    return { skipped: { check: 'incident_state', reason: `Incident ${record.id} is ${record.state}: nothing to recover automatically` } };
  }

  /** A critical incident: ask an operator, and escalate with the approval and its plan. */
  override async awaitApproval(plan: ExecutionPlan, reason: string): Promise<ExecutionOutcome> {
    const summary = await this.backlog.summary(scopeOf(plan), plan.limits);
    const approvalPlan = { count: summary.count, oldest_at: summary.oldest_at, target: plan.incident.endpoint };
    const escalation: ExecutionPlan = {
      ...plan,
      strategy: 'ESCALATE_OPERATOR',
      limits: effectiveLimits(plan.rules, 'ESCALATE_OPERATOR', plan.incident.tenant_id),
      rationale: reason,
      approval: { id: null, plan: approvalPlan, expires_at: null },
    };
    if (plan.dryRun) return this.escalate.execute(escalation);
    const request = { plan: approvalPlan, ttlMinutes: plan.rules.approvals.ttl_minutes, actor: SYSTEM_ACTOR, cycleId: plan.cycleId };
    const { approval, created } = await this.incidents.requestApproval(plan.record!.id, request, plan.now);
    if (!created) {
      const reason = `Approval ${approval.id} pending until ${approval.expires_at.toISOString()}`;
      return { skipped: { check: 'awaiting_approval', reason } };
    }
    const record = { ...plan.record!, state: 'awaiting_approval' as const, approval_id: approval.id };
    const asked = { id: approval.id, plan: approval.plan, expires_at: approval.expires_at };
    return this.escalate.execute({ ...escalation, record, approval: asked });
  }

  private async probe(record: IncidentRecord, plan: ExecutionPlan): Promise<ExecutionOutcome> {
    if (record.next_probe_at && record.next_probe_at.getTime() > plan.now.getTime()) {
      const reason = `Probing ${record.endpoint}: next probe at ${record.next_probe_at.toISOString()}`;
      return { skipped: { check: 'probe_schedule', reason } };
    }
    const result = await this.backlog.probe(record, plan.limits, {
      runId: plan.cycleId,
      startedAt: plan.now,
      leaseMs: plan.rules.cycle.abandon_pending_after_seconds * 1000,
      audit: plan.rules.global_safety.audit_all_actions,
    });
    if (result.outcome === 'delivered') this.metrics.countProbe('success');
    if (result.outcome === 'failed') this.metrics.countProbe('failure');
    if (result.outcome === 'empty') return this.nothingLeft(record, plan);
    if (result.outcome === 'leased') return { skipped: { check: 'endpoint_lease', reason: `Probe not sent: ${result.reason}` } };

    // From when the probe came back, not from the cycle's start: probes are never closer than the interval.
    const intervalMs = (plan.limits.probe_interval_seconds ?? 60) * 1000;
    const retryAfterMs = result.outcome === 'failed' ? (result.retry_after_ms ?? 0) : 0;
    const next = new Date(this.clock.now().getTime() + Math.max(intervalMs, retryAfterMs));
    const probe = { ...result, next_probe_at: next.toISOString() };
    if (result.outcome === 'skipped') {
      await this.incidents.transition(record.id, ['probing'], 'probing', { next_probe_at: next }, this.event(plan, 'probe', probe));
      return { skipped: { check: 'replay_claim', reason: `Probe not sent: ${result.reason ?? 'claim refused'}` } };
    }
    const delivered = result.outcome === 'delivered';
    await this.incidents.increment(record.id, { probes: 1, ...(delivered ? { deliveredByHeal: 1 } : { sendsWasted: 1 }) }, plan.now);
    const drainCap = delivered
      ? drainStartProblem(plan.rules, plan.state.healsThisHour, (await this.incidents.active({ states: ['draining'] })).length)
      : null;
    let message = `Probe of ${record.endpoint} ${delivered ? 'delivered' : 'failed'}; next probe at ${next.toISOString()}`;
    if (delivered && !drainCap) {
      const moved = await this.incidents.transition(
        record.id,
        ['probing'],
        'draining',
        { first_probe_success_at: record.first_probe_success_at ?? plan.now, last_probe_at: plan.now, next_probe_at: null },
        this.event(plan, 'probe', result),
      );
      if (moved) {
        await plan.state.recordHeal(record.endpoint, 0);
        await this.drains.enqueue({ kind: 'incident', id: record.id });
        message = `Probe of ${record.endpoint} delivered: draining its backlog`;
      }
    } else {
      await this.incidents.transition(
        record.id,
        ['probing'],
        'probing',
        { last_probe_at: plan.now, next_probe_at: next },
        this.event(plan, 'probe', drainCap ? { ...probe, drain_deferred: drainCap } : probe),
      );
      if (drainCap) message = `Probe of ${record.endpoint} delivered; ${drainCap}`;
    }
    const details = { incident_id: record.id, probe: drainCap ? { ...probe, drain_deferred: drainCap } : probe };
    await auditAction(this.audit, 'autoheal_probe', plan, details);
    return { taken: { ...baseAction(plan, true), ...details, count: delivered ? 1 : 0, message } };
  }

  /** The backlog is empty (delivered by someone, or by the last drain): the incident is recovered. */
  private async nothingLeft(record: IncidentRecord, plan: ExecutionPlan): Promise<ExecutionOutcome> {
    const detail = { reason: 'no failed delivery left in the backlog' };
    const patch = { recovered_at: plan.now, backlog_size: 0 };
    const moved = await this.recovery.markRecovered(record, ['probing'], patch, this.event(plan, 'recovered', detail));
    if (!moved) return { skipped: { check: 'incident_state', reason: `Incident ${record.id} moved on meanwhile` } };
    await auditAction(this.audit, 'autoheal_recovered', plan, { incident_id: record.id, ...detail });
    const message = `${record.endpoint} has nothing left to recover`;
    return { taken: { ...baseAction(plan, true), incident_id: record.id, recovered: true, count: 0, message } };
  }

  private event(plan: ExecutionPlan, type: NewIncidentEvent['type'], detail: object): NewIncidentEvent {
    return { type, at: plan.now, actor: SYSTEM_ACTOR, cycleId: plan.cycleId, detail: { ...detail } };
  }
}
