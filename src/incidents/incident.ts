import type { Incident as Anomaly, IncidentKind as AnomalyKind } from '../anomalies/incident';

export const INCIDENT_STATES = [
  'open',
  'probing',
  'draining',
  'recovered',
  'escalated',
  'awaiting_approval',
  'resolved',
  'expired',
] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** Followed by every cycle; at most one per tenant+endpoint. */
export const ACTIVE_STATES = ['open', 'probing', 'draining', 'escalated', 'awaiting_approval'] as const satisfies readonly IncidentState[];
export type ActiveState = (typeof ACTIVE_STATES)[number];

export type IncidentKind = AnomalyKind | 'sustained_outage';
export type IncidentSeverity = Anomaly['severity'];

export const INCIDENT_EVENT_TYPES = [
  'opened',
  'state_changed',
  'probe',
  'drain_batch',
  'skipped',
  'paged',
  'approval_requested',
  'approved',
  'rejected',
  'approval_expired',
  'recovered',
  'resolved',
  'note',
] as const;
export type IncidentEventType = (typeof INCIDENT_EVENT_TYPES)[number];

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
export type ApprovalDecisionKind = 'approve' | 'reject';

export interface IncidentRecord {
  id: string;
  tenant_id: string;
  endpoint: string;
  kind: IncidentKind;
  severity: IncidentSeverity;
  state: IncidentState;
  first_failure_at: Date;
  last_failure_at: Date;
  opened_at: Date;
  updated_at: Date;
  recovered_at: Date | null;
  resolved_at: Date | null;
  first_probe_success_at: Date | null;
  last_probe_at: Date | null;
  next_probe_at: Date | null;
  backlog_size: number;
  delivered_by_heal: number;
  sends_wasted: number;
  probes: number;
  ineffective_attempts: number;
  time_to_heal_seconds: number | null;
  escalation_id: string | null;
  approval_id: string | null;
  /** Bumped by every change. */
  version: number;
}

export interface IncidentEvent {
  id: string;
  incident_id: string;
  at: Date;
  type: IncidentEventType;
  cycle_id: string | null;
  actor: string;
  detail: Record<string, unknown>;
}

/** The oldest is ISO 8601. */
export interface ApprovalPlan {
  count: number;
  oldest_at: string | null;
  target: string;
  /** A RATE_LIMIT_SOURCE throttle longer than its approval_above_minutes: approved, the incident is open again and throttled. */
  throttle?: ThrottlePlan;
}

export interface ThrottlePlan {
  tenant_id: string;
  factor: number;
  duration_minutes: number;
}

/** Where an approved incident goes: a recovery probes, a throttle is applied by the next cycle that still sees the flood. */
export function approvedState(plan: ApprovalPlan): 'probing' | 'open' {
  return plan.throttle ? 'open' : 'probing';
}

export interface Approval {
  id: string;
  incident_id: string;
  /** The incident's, for tenant scoping. */
  tenant_id: string;
  endpoint: string;
  status: ApprovalStatus;
  plan: ApprovalPlan;
  requested_at: Date;
  expires_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
  note: string | null;
}

export interface IncidentDetail extends IncidentRecord {
  /** Oldest first. */
  timeline: IncidentEvent[];
  /** Newest first. */
  approvals: Approval[];
}

/** Patchable, and side by side in this order in an incident row: the run both lists below share. */
const PROGRESS_FIELDS = [
  'recovered_at',
  'resolved_at',
  'first_probe_success_at',
  'last_probe_at',
  'next_probe_at',
  'backlog_size',
  'delivered_by_heal',
  'sends_wasted',
  'probes',
  'ineffective_attempts',
  'time_to_heal_seconds',
  'escalation_id',
] as const satisfies readonly (keyof IncidentRecord)[];

/** Besides the state. */
export const PATCHABLE_FIELDS = ['severity', 'last_failure_at', ...PROGRESS_FIELDS] as const satisfies readonly (keyof IncidentRecord)[];
export type IncidentPatch = Partial<Pick<IncidentRecord, (typeof PATCHABLE_FIELDS)[number]>>;

/** Every column of an incident row, in the table's order. */
export const INCIDENT_FIELDS = [
  'id',
  'tenant_id',
  'endpoint',
  'kind',
  'severity',
  'state',
  'first_failure_at',
  'last_failure_at',
  'opened_at',
  'updated_at',
  ...PROGRESS_FIELDS,
  'approval_id',
  'version',
] as const satisfies readonly (keyof IncidentRecord)[];
