import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../common/domain-error';
import {
  ACTIVE_STATES,
  Approval,
  ApprovalDecisionKind,
  approvedState,
  IncidentDetail,
  IncidentEvent,
  IncidentPatch,
  IncidentRecord,
  IncidentState,
} from './incident';
import {
  alreadyActiveError,
  approvalExpiry,
  decisionRefusal,
  higherSeverity,
  isActive,
  isOverdue,
  isUuid,
  mootNote,
  notActiveError,
  SYSTEM_ACTOR,
  transitionDetail,
} from './incident-lifecycle';
import {
  ActiveIncidentFilter,
  ApprovalDecision,
  ApprovalQuery,
  ApprovalRequest,
  DecidedApproval,
  IncidentCounters,
  IncidentQuery,
  IncidentStore,
  NewIncidentEvent,
  OpenIncident,
} from './incident-store.port';

const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const later = (a: Date, b: Date): Date => (a.getTime() >= b.getTime() ? a : b);
const earlier = (a: Date, b: Date): Date => (a.getTime() <= b.getTime() ? a : b);

/** Every method runs to the end without awaiting, so each is atomic on its own. */
export class MemoryIncidentStore extends IncidentStore {
  private readonly incidents = new Map<string, IncidentRecord>();
  private readonly events: IncidentEvent[] = [];
  private readonly approvals = new Map<string, Approval>();
  private nextEventId = 1;

  async openOrUpdate(input: OpenIncident, now: Date): Promise<{ incident: IncidentRecord; created: boolean }> {
    const existing = this.activeFor(input.tenantId, input.endpoint);
    if (existing) {
      this.change(
        existing,
        {
          first_failure_at: earlier(existing.first_failure_at, input.firstFailureAt),
          last_failure_at: later(existing.last_failure_at, input.lastFailureAt),
          backlog_size: input.backlogSize,
          severity: higherSeverity(existing.severity, input.severity),
        },
        now,
      );
      return { incident: structuredClone(existing), created: false };
    }
    const incident: IncidentRecord = {
      id: randomUUID(),
      tenant_id: input.tenantId,
      endpoint: input.endpoint,
      kind: input.kind,
      severity: input.severity,
      state: 'open',
      first_failure_at: new Date(input.firstFailureAt),
      last_failure_at: new Date(input.lastFailureAt),
      opened_at: new Date(now),
      updated_at: new Date(now),
      recovered_at: null,
      resolved_at: null,
      first_probe_success_at: null,
      last_probe_at: null,
      next_probe_at: null,
      backlog_size: input.backlogSize,
      delivered_by_heal: 0,
      sends_wasted: 0,
      probes: 0,
      ineffective_attempts: 0,
      time_to_heal_seconds: null,
      escalation_id: null,
      approval_id: null,
      version: 1,
    };
    this.incidents.set(incident.id, incident);
    this.append(incident.id, {
      type: 'opened',
      at: now,
      actor: SYSTEM_ACTOR,
      cycleId: input.cycleId,
      detail: { kind: input.kind, severity: input.severity, backlog_size: input.backlogSize },
    });
    return { incident: structuredClone(incident), created: true };
  }

  async active(filter: ActiveIncidentFilter = {}): Promise<IncidentRecord[]> {
    const states: readonly IncidentState[] = filter.states ?? ACTIVE_STATES;
    return [...this.incidents.values()]
      .filter((i) => isActive(i.state) && states.includes(i.state))
      .filter(
        (i) =>
          (filter.tenantId === undefined || i.tenant_id === filter.tenantId) &&
          (filter.endpoint === undefined || i.endpoint === filter.endpoint),
      )
      .sort((a, b) => a.opened_at.getTime() - b.opened_at.getTime() || a.id.localeCompare(b.id))
      .map((i) => structuredClone(i));
  }

  async list(query: IncidentQuery): Promise<IncidentRecord[]> {
    return [...this.incidents.values()]
      .filter(
        (i) => (query.state === undefined || i.state === query.state) && (query.tenantId === undefined || i.tenant_id === query.tenantId),
      )
      .filter((i) => query.tenantIds === undefined || query.tenantIds.includes(i.tenant_id))
      .sort((a, b) => b.opened_at.getTime() - a.opened_at.getTime() || b.id.localeCompare(a.id))
      .slice(0, query.limit)
      .map((i) => structuredClone(i));
  }

  async get(id: string): Promise<IncidentDetail | null> {
    const incident = this.incidents.get(id);
    if (!incident) return null;
    const timeline = this.events
      .filter((e) => e.incident_id === id)
      .sort((a, b) => a.at.getTime() - b.at.getTime() || Number(a.id) - Number(b.id));
    const approvals = this.sortedApprovals([...this.approvals.values()].filter((a) => a.incident_id === id));
    return structuredClone({ ...incident, timeline, approvals });
  }

  async transition(
    id: string,
    from: readonly IncidentState[],
    to: IncidentState,
    patch: IncidentPatch,
    event: NewIncidentEvent,
  ): Promise<IncidentRecord | null> {
    const incident = this.incidents.get(id);
    if (!incident || !from.includes(incident.state)) return null;
    const previous = incident.state;
    if (isActive(to) && !isActive(previous) && this.activeFor(incident.tenant_id, incident.endpoint)) throw alreadyActiveError(incident);
    this.change(incident, { ...patch, state: to }, event.at);
    this.append(id, { ...event, detail: transitionDetail(event, previous, to) });
    if (previous === 'awaiting_approval' && to !== 'awaiting_approval') this.closeMoot(id, to, event.actor, event.at);
    return structuredClone(incident);
  }

  async recordEvent(id: string, event: NewIncidentEvent): Promise<IncidentEvent> {
    const incident = this.required(id);
    this.change(incident, {}, event.at);
    return structuredClone(this.append(id, event));
  }

  async increment(id: string, counters: IncidentCounters, now: Date): Promise<IncidentRecord> {
    const incident = this.required(id);
    this.change(
      incident,
      {
        probes: incident.probes + (counters.probes ?? 0),
        delivered_by_heal: incident.delivered_by_heal + (counters.deliveredByHeal ?? 0),
        sends_wasted: incident.sends_wasted + (counters.sendsWasted ?? 0),
        ineffective_attempts: incident.ineffective_attempts + (counters.ineffectiveAttempts ?? 0),
      },
      now,
    );
    return structuredClone(incident);
  }

  async setBacklog(id: string, size: number, now: Date): Promise<IncidentRecord> {
    const incident = this.required(id);
    this.change(incident, { backlog_size: size }, now);
    return structuredClone(incident);
  }

  async requestApproval(incidentId: string, request: ApprovalRequest, now: Date): Promise<{ approval: Approval; created: boolean }> {
    const incident = this.required(incidentId);
    const pending = this.pendingFor(incidentId);
    if (pending && !isOverdue(pending, now)) return { approval: structuredClone(pending), created: false };
    if (pending) this.expire(pending, now);
    if (!isActive(incident.state)) throw notActiveError(incident, 'sent for approval');
    const approval: Approval = {
      id: randomUUID(),
      incident_id: incidentId,
      tenant_id: incident.tenant_id,
      endpoint: incident.endpoint,
      status: 'pending',
      plan: json(request.plan),
      requested_at: new Date(now),
      expires_at: approvalExpiry(now, request.ttlMinutes),
      decided_at: null,
      decided_by: null,
      note: null,
    };
    this.approvals.set(approval.id, approval);
    const previous = incident.state;
    this.change(incident, { state: 'awaiting_approval', approval_id: approval.id }, now);
    this.append(incidentId, {
      type: 'approval_requested',
      at: now,
      actor: request.actor,
      cycleId: request.cycleId,
      detail: {
        approval_id: approval.id,
        plan: approval.plan,
        expires_at: approval.expires_at.toISOString(),
        from: previous,
        to: 'awaiting_approval',
      },
    });
    return { approval: structuredClone(approval), created: true };
  }

  async getApproval(id: string): Promise<Approval | null> {
    const approval = this.approvals.get(id);
    return approval ? structuredClone(approval) : null;
  }

  async listApprovals(query: ApprovalQuery): Promise<Approval[]> {
    const matching = [...this.approvals.values()]
      .filter((a) => query.status === undefined || a.status === query.status)
      .filter((a) => query.tenantIds === undefined || query.tenantIds.includes(a.tenant_id));
    return structuredClone(this.sortedApprovals(matching).slice(0, query.limit));
  }

  async decideApproval(id: string, decision: ApprovalDecisionKind, by: ApprovalDecision): Promise<DecidedApproval> {
    const approval = this.approvals.get(id);
    if (!approval) throw new NotFoundError('Approval', id);
    const incident = this.required(approval.incident_id);
    const refusal = decisionRefusal(approval, incident, by.now);
    if (refusal) {
      if (approval.status === 'pending' && isOverdue(approval, by.now)) this.expire(approval, by.now);
      throw refusal;
    }
    const approved = decision === 'approve';
    Object.assign(approval, {
      status: approved ? 'approved' : 'rejected',
      decided_at: new Date(by.now),
      decided_by: by.actor,
      note: by.note ?? null,
    });
    const to = approved ? approvedState(approval.plan) : 'escalated';
    this.change(incident, to === 'probing' ? { state: to, next_probe_at: new Date(by.now) } : { state: to }, by.now);
    this.append(incident.id, {
      type: approved ? 'approved' : 'rejected',
      at: by.now,
      actor: by.actor,
      detail: { approval_id: id, note: by.note ?? null, from: 'awaiting_approval', to },
    });
    return { approval: structuredClone(approval), incident: structuredClone(incident) };
  }

  async expireApprovals(now: Date): Promise<Approval[]> {
    const overdue = this.sortedApprovals([...this.approvals.values()].filter((a) => a.status === 'pending' && isOverdue(a, now)));
    for (const approval of overdue) this.expire(approval, now);
    return structuredClone(overdue);
  }

  async expireStale(olderThan: Date, now: Date): Promise<IncidentRecord[]> {
    const stale = [...this.incidents.values()]
      .filter((i) => isActive(i.state) && later(i.last_failure_at, i.updated_at).getTime() < olderThan.getTime())
      .sort((a, b) => a.opened_at.getTime() - b.opened_at.getTime() || a.id.localeCompare(b.id));
    for (const incident of stale) {
      const previous = incident.state;
      this.change(incident, { state: 'expired' }, now);
      this.append(incident.id, {
        type: 'state_changed',
        at: now,
        actor: SYSTEM_ACTOR,
        detail: { reason: `no failure or activity since ${olderThan.toISOString()}`, from: previous, to: 'expired' },
      });
      if (previous === 'awaiting_approval') this.closeMoot(incident.id, 'expired', SYSTEM_ACTOR, now);
    }
    return structuredClone(stale);
  }

  private activeFor(tenantId: string, endpoint: string): IncidentRecord | undefined {
    return [...this.incidents.values()].find((i) => i.tenant_id === tenantId && i.endpoint === endpoint && isActive(i.state));
  }

  private required(id: string): IncidentRecord {
    const incident = isUuid(id) ? this.incidents.get(id) : undefined;
    if (!incident) throw new NotFoundError('Incident', id);
    return incident;
  }

  private pendingFor(incidentId: string): Approval | undefined {
    return [...this.approvals.values()].find((a) => a.incident_id === incidentId && a.status === 'pending');
  }

  private sortedApprovals(approvals: Approval[]): Approval[] {
    return approvals.sort((a, b) => b.requested_at.getTime() - a.requested_at.getTime() || b.id.localeCompare(a.id));
  }

  /** updated_at never moves back. */
  private change(incident: IncidentRecord, fields: Partial<IncidentRecord>, now: Date): void {
    const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
    Object.assign(incident, structuredClone(defined), { updated_at: later(incident.updated_at, now), version: incident.version + 1 });
  }

  private append(incidentId: string, event: NewIncidentEvent): IncidentEvent {
    const stored: IncidentEvent = {
      id: String(this.nextEventId++),
      incident_id: incidentId,
      at: new Date(event.at),
      type: event.type,
      cycle_id: event.cycleId ?? null,
      actor: event.actor,
      detail: json(event.detail ?? {}),
    };
    this.events.push(stored);
    return stored;
  }

  /** Expired as of its deadline, its incident back to escalated. */
  private expire(approval: Approval, now: Date): void {
    Object.assign(approval, { status: 'expired', decided_at: new Date(approval.expires_at) });
    const incident = this.incidents.get(approval.incident_id)!;
    if (incident.state === 'awaiting_approval') this.change(incident, { state: 'escalated' }, now);
    this.append(incident.id, {
      type: 'approval_expired',
      at: now,
      actor: SYSTEM_ACTOR,
      detail: { approval_id: approval.id, expires_at: approval.expires_at.toISOString(), from: 'awaiting_approval', to: 'escalated' },
    });
  }

  private closeMoot(incidentId: string, to: IncidentState, actor: string, now: Date): void {
    const pending = this.pendingFor(incidentId);
    if (!pending) return;
    Object.assign(pending, { status: 'expired', decided_at: new Date(now), decided_by: actor, note: mootNote(to, actor) });
    this.append(incidentId, { type: 'approval_expired', at: now, actor, detail: { approval_id: pending.id, note: pending.note } });
  }
}
