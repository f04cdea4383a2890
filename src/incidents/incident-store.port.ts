import { NotFoundError } from '../common/domain-error';
import {
  ACTIVE_STATES,
  ActiveState,
  Approval,
  ApprovalDecisionKind,
  ApprovalPlan,
  ApprovalStatus,
  IncidentDetail,
  IncidentEvent,
  IncidentEventType,
  IncidentKind,
  IncidentPatch,
  IncidentRecord,
  IncidentSeverity,
  IncidentState,
} from './incident';
import { notActiveError } from './incident-lifecycle';

export interface OpenIncident {
  tenantId: string;
  endpoint: string;
  kind: IncidentKind;
  severity: IncidentSeverity;
  firstFailureAt: Date;
  lastFailureAt: Date;
  backlogSize: number;
  /** Ingest can open one too. */
  cycleId?: string | null;
}

export interface NewIncidentEvent {
  type: IncidentEventType;
  at: Date;
  actor: string;
  cycleId?: string | null;
  detail?: Record<string, unknown>;
}

export interface IncidentCounters {
  probes?: number;
  deliveredByHeal?: number;
  sendsWasted?: number;
  ineffectiveAttempts?: number;
}

export interface ActiveIncidentFilter {
  tenantId?: string;
  endpoint?: string;
  states?: readonly ActiveState[];
}

export interface IncidentQuery {
  state?: IncidentState;
  tenantId?: string;
  /** A caller's scope; empty means none. */
  tenantIds?: readonly string[];
  limit: number;
}

export interface ApprovalQuery {
  status?: ApprovalStatus;
  tenantIds?: readonly string[];
  limit: number;
}

export interface ApprovalRequest {
  plan: ApprovalPlan;
  /** Fractions allowed (compressed time). */
  ttlMinutes: number;
  actor: string;
  cycleId?: string | null;
}

export interface ApprovalDecision {
  actor: string;
  note?: string | null;
  now: Date;
}

export interface DecidedApproval {
  approval: Approval;
  incident: IncidentRecord;
}

/**
 * Every change is atomic with the event that records it; states move by compare-and-set, so two instances
 * following the same incident cannot both move it.
 */
export abstract class IncidentStore {
  /**
   * Otherwise the failure window widens, the backlog is replaced and severity only rises.
   * Concurrent callers get the same incident and exactly one of them `created: true`.
   */
  abstract openOrUpdate(input: OpenIncident, now: Date): Promise<{ incident: IncidentRecord; created: boolean }>;

  /** Oldest opened first. */
  abstract active(filter?: ActiveIncidentFilter): Promise<IncidentRecord[]>;

  /** Newest opened first. */
  abstract list(query: IncidentQuery): Promise<IncidentRecord[]>;

  /** Null for an unknown id (or one that is not a UUID). */
  abstract get(id: string): Promise<IncidentDetail | null>;

  /**
   * Compare-and-set on `from`, one transaction with the event; null when not in `from`. Leaving awaiting_approval
   * expires the pending approval; 409 (incident_already_active) when it would be a second active incident.
   */
  abstract transition(
    id: string,
    from: readonly IncidentState[],
    to: IncidentState,
    patch: IncidentPatch,
    event: NewIncidentEvent,
  ): Promise<IncidentRecord | null>;

  /** Counts as activity for expireStale. */
  abstract recordEvent(id: string, event: NewIncidentEvent): Promise<IncidentEvent>;

  abstract increment(id: string, counters: IncidentCounters, now: Date): Promise<IncidentRecord>;

  abstract setBacklog(id: string, size: number, now: Date): Promise<IncidentRecord>;

  /** While one is pending and not overdue it is returned instead (`created: false`). */
  abstract requestApproval(incidentId: string, request: ApprovalRequest, now: Date): Promise<{ approval: Approval; created: boolean }>;

  /** Null for an unknown id (or one that is not a UUID). */
  abstract getApproval(id: string): Promise<Approval | null>;

  /** Newest requested first. */
  abstract listApprovals(query: ApprovalQuery): Promise<Approval[]>;

  /**
   * Re-validated when acted on: 409 when not pending, expired (then marked so and its incident escalated) or
   * its incident is no longer awaiting approval.
   */
  abstract decideApproval(id: string, decision: ApprovalDecisionKind, by: ApprovalDecision): Promise<DecidedApproval>;

  abstract expireApprovals(now: Date): Promise<Approval[]>;

  /** Resolving a resolved one returns it unchanged; a recovered or expired one is a 409. */
  async resolve(id: string, actor: string, note: string | null, now: Date): Promise<IncidentRecord> {
    const event: NewIncidentEvent = { type: 'resolved', at: now, actor, detail: { note } };
    const resolved = await this.transition(id, ACTIVE_STATES, 'resolved', { resolved_at: now }, event);
    if (resolved) return resolved;
    const current = await this.get(id);
    if (!current) throw new NotFoundError('Incident', id);
    const { timeline: _timeline, approvals: _approvals, ...incident } = current;
    if (incident.state === 'resolved') return incident;
    throw notActiveError(incident, 'resolved');
  }

  /** No failure and no activity since `olderThan`. */
  abstract expireStale(olderThan: Date, now: Date): Promise<IncidentRecord[]>;
}
