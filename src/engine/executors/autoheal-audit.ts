import { Logger } from '@nestjs/common';
import type { AuditLog } from '../../audit/audit-log.port';
import type { ExecutionPlan } from './strategy-executor';
import type { Incident } from '../../anomalies/incident';
import { errorSignature } from '../../common/error-signature';

export const AUTOHEAL_OPERATOR = 'system:autoheal';

/** What a page about the incident is silenced by: its dominant error signature, else its most common error's. */
export function signatureOf(incident: Incident): string | undefined {
  if (incident.error_signature) return incident.error_signature.signature;
  return incident.most_common_error ? errorSignature(incident.most_common_error) : undefined;
}
const logger = new Logger('AutohealAudit');

/**
 * The guide's `_log_autoheal_action`: every executed action goes to M10 as `system:autoheal`.
 * The action already happened, so a failed audit write is logged loudly rather than undoing it.
 */
export async function auditAction(audit: AuditLog, action: string, plan: ExecutionPlan, details: Record<string, unknown>): Promise<void> {
  if (!plan.rules.global_safety.audit_all_actions) return;
  try {
    await audit.record({
      operator_id: AUTOHEAL_OPERATOR,
      action,
      resource_type: 'delivery',
      resource_id: plan.incident.endpoint,
      tenant_id: plan.incident.tenant_id,
      at: plan.now,
      meta: { strategy: plan.strategy, incident: plan.incident, cycle_id: plan.cycleId, probability: plan.probability, ...details },
    });
  } catch (error) {
    logger.error(`Audit write failed for ${action} on ${plan.incident.endpoint}: ${error instanceof Error ? error.message : error}`);
  }
}
