import type { Incident } from '../anomalies/incident';
import type { Severity } from '../rules/rules.types';

export const ESCALATION_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type EscalationStatus = (typeof ESCALATION_STATUSES)[number];
export type EscalationPriority = Severity;

/** An operator incident (a row of `escalations`), in the API's snake_case. */
export interface Escalation {
  id: string;
  tenant_id: string;
  endpoint: string;
  priority: EscalationPriority;
  status: EscalationStatus;
  reason: string;
  /** The latest incident that opened or bumped it. */
  incident: Incident;
  occurrences: number;
  created_at: Date;
  last_seen_at: Date;
  notified_at: Date | null;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  resolved_by: string | null;
  resolved_at: Date | null;
}
