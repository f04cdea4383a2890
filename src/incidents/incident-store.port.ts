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

/** What detection knows about an outage when it reports one. */
export interface OpenIncident {
  tenantId: string;
  endpoint: string;
  kind: IncidentKind;
  severity: IncidentSeverity;
  firstFailureAt: Date;
  lastFailureAt: Date;
  backlogSize: number;
  /** The healing cycle that saw it, if any (ingest can open one too). */
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
  /** Only these tenants (a caller's scope); empty means none. */
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
  /** `approvals.ttl_minutes` from the rules; fractions allowed (compressed time). */
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
 * Incidents that persist until recovered, their timeline and their approvals. Every change is
 * atomic with the event that records it; states move by compare-and-set, so two instances
 * following the same incident cannot both move it.
 */
export abstract class IncidentStore {
  /**
   * The active incident of that tenant+endpoint, opened (event `opened`) when there is none;
   * otherwise the failure window widens, the backlog is replaced and severity only rises.
   * Concurrent callers get the same incident and exactly one of them `created: true`.
   */
  abstract openOrUpdate(input: OpenIncident, now: Date): Promise<{ incident: IncidentRecord; created: boolean }>;

  /** Active incidents, oldest opened first. */
  abstract active(filter?: ActiveIncidentFilter): Promise<IncidentRecord[]>;

  /** Newest opened first. */
  abstract list(query: IncidentQuery): Promise<IncidentRecord[]>;

  /** With its timeline and approvals; null for an unknown id (or one that is not a UUID). */
  abstract get(id: string): Promise<IncidentDetail | null>;

  /**
   * Moves the incident to `to` if it is in one of `from`, applying `patch` and appending `event`
   * (its detail gains `from` and `to`) in one transaction; null when it was not (or is unknown).
   * Leaving awaiting_approval expires the pending approval. 409 (incident_already_active) when it
   * would become active beside another active incident of the same tenant+endpoint.
   */
  abstract transition(
    id: string,
    from: readonly IncidentState[],
    to: IncidentState,
    patch: IncidentPatch,
    event: NewIncidentEvent,
  ): Promise<IncidentRecord | null>;

  /** Appends to the timeline (and counts as activity for expireStale). NotFoundError if unknown. */
  abstract recordEvent(id: string, event: NewIncidentEvent): Promise<IncidentEvent>;

  /** Adds to the counters atomically. NotFoundError if unknown. */
  abstract increment(id: string, counters: IncidentCounters, now: Date): Promise<IncidentRecord>;

  abstract setBacklog(id: string, size: number, now: Date): Promise<IncidentRecord>;

  /**
   * Asks an operator to approve recovering the incident: it moves to awaiting_approval (event
   * approval_requested). While one is pending and not overdue it is returned instead
   * (`created: false`). 409 for an incident that is not active, 404 for an unknown one.
   */
  abstract requestApproval(incidentId: string, request: ApprovalRequest, now: Date): Promise<{ approval: Approval; created: boolean }>;

  /** Null for an unknown id (or one that is not a UUID). */
  abstract getApproval(id: string): Promise<Approval | null>;

  /** Newest requested first. */
  abstract listApprovals(query: ApprovalQuery): Promise<Approval[]>;

  /**
   * Re-validated when acted on: 409 when it is not pending, has expired (it is then marked
   * expired and its incident escalated) or its incident is no longer awaiting approval.
   * Approve moves the incident to probing (due at once), reject to escalated.
   */
  abstract decideApproval(id: string, decision: ApprovalDecisionKind, by: ApprovalDecision): Promise<DecidedApproval>;

  /** Marks overdue pending approvals expired (event approval_expired, incident back to escalated). */
  abstract expireApprovals(now: Date): Promise<Approval[]>;

  /**
   * An operator closes an active incident (event resolved). Resolving a resolved one returns it
   * unchanged; a recovered or expired one is a 409.
   */
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

  /** Active incidents with no failure and no activity since `olderThan` become expired. */
  abstract expireStale(olderThan: Date, now: Date): Promise<IncidentRecord[]>;
}
