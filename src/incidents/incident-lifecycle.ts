import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { ACTIVE_STATES, Approval, IncidentRecord, IncidentSeverity, IncidentState } from './incident';
import type { NewIncidentEvent } from './incident-store.port';

// Shared by both IncidentStore adapters so the rules cannot drift.

export const SYSTEM_ACTOR = 'autoheal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (id: string): boolean => UUID.test(id);

export const isActive = (state: IncidentState): boolean => (ACTIVE_STATES as readonly IncidentState[]).includes(state);

export const SEVERITY_ORDER: readonly IncidentSeverity[] = ['low', 'medium', 'high', 'critical'];

export const higherSeverity = (a: IncidentSeverity, b: IncidentSeverity): IncidentSeverity =>
  SEVERITY_ORDER.indexOf(a) >= SEVERITY_ORDER.indexOf(b) ? a : b;

export const approvalExpiry = (now: Date, ttlMinutes: number): Date => new Date(now.getTime() + ttlMinutes * 60_000);

export const isOverdue = (approval: Approval, now: Date): boolean => approval.expires_at.getTime() <= now.getTime();

export const transitionDetail = (event: NewIncidentEvent, from: IncidentState, to: IncidentState): Record<string, unknown> => ({
  ...event.detail,
  from,
  to,
});

/** Closes a pending approval when its incident leaves awaiting_approval some other way. */
export const mootNote = (to: IncidentState, actor: string): string => `incident moved to ${to} by ${actor}`;

export class ApprovalConflictError extends DomainError {
  constructor(code: 'approval_expired' | 'approval_not_pending' | 'incident_not_awaiting_approval', message: string) {
    super(code, message, HttpStatus.CONFLICT);
  }
}

export function approvalExpiredError(approval: Approval): ApprovalConflictError {
  const at = (approval.decided_at ?? approval.expires_at).toISOString();
  return new ApprovalConflictError(
    'approval_expired',
    `Approval ${approval.id} expired at ${at}${approval.note ? `: ${approval.note}` : ''}`,
  );
}

/** An overdue pending approval is refused as expired; the caller marks it so before refusing. */
export function decisionRefusal(approval: Approval, incident: IncidentRecord, now: Date): ApprovalConflictError | null {
  if (approval.status === 'expired') return approvalExpiredError(approval);
  if (approval.status !== 'pending') {
    return new ApprovalConflictError(
      'approval_not_pending',
      `Approval ${approval.id} was already ${approval.status} by ${approval.decided_by} at ${approval.decided_at?.toISOString()}`,
    );
  }
  if (isOverdue(approval, now)) return approvalExpiredError({ ...approval, decided_at: approval.expires_at });
  if (incident.state !== 'awaiting_approval') {
    return new ApprovalConflictError(
      'incident_not_awaiting_approval',
      `Incident ${incident.id} is ${incident.state}, no longer awaiting approval`,
    );
  }
  return null;
}

export function notActiveError(incident: IncidentRecord, action: string): DomainError {
  return new DomainError(
    'incident_not_active',
    `Incident ${incident.id} is ${incident.state}; only an active incident can be ${action}`,
    HttpStatus.CONFLICT,
  );
}

export function alreadyActiveError(incident: IncidentRecord): DomainError {
  return new DomainError(
    'incident_already_active',
    `Incident ${incident.id} cannot become active again: ${incident.tenant_id} ${incident.endpoint} already has an active incident`,
    HttpStatus.CONFLICT,
  );
}
