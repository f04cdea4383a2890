import type {
  Approval,
  ApprovalPlan,
  ApprovalStatus,
  IncidentDetail,
  IncidentEvent,
  IncidentEventType,
  IncidentKind,
  IncidentRecord,
  IncidentSeverity,
  IncidentState,
} from '../incident';

export class IncidentDto implements IncidentRecord {
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

export class IncidentEventDto implements IncidentEvent {
  id: string;
  incident_id: string;
  at: Date;
  type: IncidentEventType;
  cycle_id: string | null;
  actor: string;
  detail: Record<string, unknown>;
}

export class ApprovalPlanDto implements ApprovalPlan {
  /** Deliveries the drain would send. */
  count: number;
  /** ISO 8601. */
  oldest_at: string | null;
  target: string;
}

export class ApprovalDto implements Approval {
  id: string;
  incident_id: string;
  tenant_id: string;
  endpoint: string;
  status: ApprovalStatus;
  plan: ApprovalPlanDto;
  requested_at: Date;
  expires_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
  note: string | null;
}

export class IncidentDetailDto extends IncidentDto implements IncidentDetail {
  /** Oldest first. */
  timeline: IncidentEventDto[];
  /** Newest first. */
  approvals: ApprovalDto[];
}

export class IncidentListDto {
  incidents: IncidentDto[];
}

export class ApprovalListDto {
  approvals: ApprovalDto[];
}

/** The decided approval with its incident as it now stands. */
export class ApprovalDecisionDto extends ApprovalDto {
  incident: IncidentDto;
}
