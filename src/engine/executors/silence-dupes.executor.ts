import { Injectable } from '@nestjs/common';
import { AuditLog } from '../../audit/audit-log.port';
import { SilenceStore } from '../../escalation/silence-store.port';
import { AUTOHEAL_OPERATOR, auditAction } from './autoheal-audit';
import { baseAction, ExecutionOutcome, ExecutionPlan, StrategyExecutor } from './strategy-executor';

/**
 * SILENCE_DUPES: more than duplicate_ratio of the incident's failures share one error signature, so its pages
 * are silenced for duration_minutes (one silence per tenant and signature). The notifier then suppresses them,
 * counting pages of one endpoint within dedup_window_seconds as one occurrence, and sends one escalation at
 * max_occurrences.
 */
@Injectable()
export class SilenceDupesExecutor extends StrategyExecutor {
  readonly strategy = 'SILENCE_DUPES' as const;

  constructor(
    private readonly silences: SilenceStore,
    private readonly audit: AuditLog,
  ) {
    super();
  }

  async execute(plan: ExecutionPlan): Promise<ExecutionOutcome> {
    const { incident, limits } = plan;
    const signature = incident.error_signature?.signature;
    if (!signature) return { skipped: { check: 'strategy_limits', reason: 'No error signature to silence' } };
    const existing = await this.silences.match(incident.tenant_id, signature, plan.now);
    if (existing) {
      const reason = `Silence ${existing.id} already covers "${signature}" until ${new Date(existing.ends_at).toISOString()}`;
      return { skipped: { check: 'already_silenced', reason } };
    }
    const durationMinutes = limits.duration_minutes ?? 15;
    const settings = {
      signature,
      duration_minutes: durationMinutes,
      dedup_window_seconds: limits.dedup_window_seconds ?? 300,
      max_occurrences: limits.max_occurrences ?? 10,
    };
    const message = `Silenced pages of tenant ${incident.tenant_id} about "${signature}" for ${durationMinutes} minutes`;
    await plan.state.recordHeal(incident.endpoint, limits.cooldown_minutes ?? 0);
    if (plan.dryRun) return { taken: { ...baseAction(plan, false), would_silence: settings, message: `Would silence "${signature}"` } };
    const silence = await this.silences.create({
      signature,
      tenantId: incident.tenant_id,
      now: plan.now,
      durationMinutes,
      dedupWindowSeconds: settings.dedup_window_seconds,
      maxOccurrences: settings.max_occurrences,
      createdBy: AUTOHEAL_OPERATOR,
      comment: plan.rationale,
      incidentId: plan.record?.id ?? null,
    });
    const details = { silence: { id: silence.id, ...settings, ends_at: new Date(silence.ends_at).toISOString() } };
    await auditAction(this.audit, 'autoheal_silence', plan, details);
    return { taken: { ...baseAction(plan, true), ...details, message } };
  }
}
