import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { NotFoundError } from '../common/domain-error';
import type { SqlQuery } from '../common/sql-query';
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
  INCIDENT_FIELDS,
  PATCHABLE_FIELDS,
} from './incident';
import {
  alreadyActiveError,
  approvalExpiry,
  decisionRefusal,
  isActive,
  isOverdue,
  isUuid,
  mootNote,
  notActiveError,
  SEVERITY_ORDER,
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

const INCIDENT_COLUMNS = INCIDENT_FIELDS.join(', ');
const EVENT_COLUMNS = `id::text AS id, incident_id, at, type, cycle_id, actor, detail`;
const APPROVAL_COLUMNS = `a.id, a.incident_id, i.tenant_id, i.endpoint, a.status, a.plan, a.requested_at, a.expires_at,
  a.decided_at, a.decided_by, a.note`;

// Must repeat uq_incidents_active's predicate for ON CONFLICT to pick that index.
const ACTIVE_PREDICATE = `state IN (${ACTIVE_STATES.map((s) => `'${s}'`).join(', ')})`;
const SEVERITY_RANK = (column: string) => `array_position(ARRAY[${SEVERITY_ORDER.map((s) => `'${s}'`).join(', ')}]::text[], ${column})`;

// Racing instances meet on uq_incidents_active: one inserts (xmax = 0), the others update that row.
const OPEN_OR_UPDATE = `
  WITH upserted AS (
    INSERT INTO incidents AS i (tenant_id, endpoint, kind, severity, first_failure_at, last_failure_at, backlog_size, opened_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
    ON CONFLICT (tenant_id, endpoint) WHERE ${ACTIVE_PREDICATE} DO UPDATE SET
      first_failure_at = LEAST(i.first_failure_at, EXCLUDED.first_failure_at),
      last_failure_at = GREATEST(i.last_failure_at, EXCLUDED.last_failure_at),
      backlog_size = EXCLUDED.backlog_size,
      severity = CASE WHEN ${SEVERITY_RANK('EXCLUDED.severity')} > ${SEVERITY_RANK('i.severity')}
                      THEN EXCLUDED.severity ELSE i.severity END,
      updated_at = GREATEST(i.updated_at, EXCLUDED.updated_at),
      version = i.version + 1
    RETURNING ${INCIDENT_COLUMNS}, (xmax = 0) AS created
  ), opened AS (
    INSERT INTO incident_events (incident_id, at, type, cycle_id, actor, detail)
    SELECT id, $8, 'opened', $9, $10, $11::jsonb FROM upserted WHERE created
  )
  SELECT * FROM upserted`;

const SELECT_ACTIVE = `
  SELECT ${INCIDENT_COLUMNS} FROM incidents
  WHERE state = ANY($1::text[]) AND ($2::text IS NULL OR tenant_id = $2) AND ($3::text IS NULL OR endpoint = $3)
  ORDER BY opened_at, id`;

const LIST_INCIDENTS = `
  SELECT ${INCIDENT_COLUMNS} FROM incidents
  WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR tenant_id = $2) AND ($3::text[] IS NULL OR tenant_id = ANY($3))
  ORDER BY opened_at DESC, id DESC
  LIMIT $4`;

const SELECT_INCIDENT = `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1`;
const LOCK_INCIDENT = `${SELECT_INCIDENT} FOR UPDATE`;
const SELECT_TIMELINE = `SELECT ${EVENT_COLUMNS} FROM incident_events WHERE incident_id = $1 ORDER BY at, id`;

const INSERT_EVENTS = `
  INSERT INTO incident_events (incident_id, at, type, cycle_id, actor, detail)
  SELECT e.incident_id, e.at, e.type, e.cycle_id, e.actor, e.detail
  FROM jsonb_to_recordset($1::jsonb) AS e(n int, incident_id uuid, at timestamptz, type text, cycle_id uuid, actor text, detail jsonb)
  ORDER BY e.n
  RETURNING ${EVENT_COLUMNS}`;

const TOUCH_INCIDENT = `UPDATE incidents SET updated_at = GREATEST(updated_at, $2), version = version + 1 WHERE id = $1 RETURNING id`;

const INCREMENT_COUNTERS = `
  UPDATE incidents SET
    probes = probes + $2,
    delivered_by_heal = delivered_by_heal + $3,
    sends_wasted = sends_wasted + $4,
    ineffective_attempts = ineffective_attempts + $5,
    updated_at = GREATEST(updated_at, $6),
    version = version + 1
  WHERE id = $1
  RETURNING ${INCIDENT_COLUMNS}`;

const SELECT_APPROVALS = `SELECT ${APPROVAL_COLUMNS} FROM approvals a JOIN incidents i ON i.id = a.incident_id`;
const APPROVALS_OF_INCIDENT = `${SELECT_APPROVALS} WHERE a.incident_id = $1 ORDER BY a.requested_at DESC, a.id DESC`;
const LOCK_PENDING_APPROVAL = `${SELECT_APPROVALS} WHERE a.incident_id = $1 AND a.status = 'pending' FOR UPDATE OF a`;
const SELECT_APPROVAL = `${SELECT_APPROVALS} WHERE a.id = $1`;
const LOCK_APPROVAL = `${SELECT_APPROVAL} FOR UPDATE OF a`;
const APPROVAL_INCIDENT = `SELECT incident_id FROM approvals WHERE id = $1`;
const SELECT_APPROVALS_BY_ID = `${SELECT_APPROVALS} WHERE a.id = ANY($1::uuid[]) ORDER BY a.requested_at DESC, a.id DESC`;
const LIST_APPROVALS = `
  ${SELECT_APPROVALS}
  WHERE ($1::text IS NULL OR a.status = $1) AND ($2::text[] IS NULL OR i.tenant_id = ANY($2))
  ORDER BY a.requested_at DESC, a.id DESC
  LIMIT $3`;

const INSERT_APPROVAL = `
  INSERT INTO approvals (incident_id, plan, requested_at, expires_at) VALUES ($1, $2::jsonb, $3, $4)
  RETURNING id`;

const DECIDE_APPROVAL = `UPDATE approvals SET status = $2, decided_at = $3, decided_by = $4, note = $5 WHERE id = $1`;

// Incidents are locked before their approvals everywhere, so two of these cannot deadlock.
const LOCK_INCIDENTS_WITH_OVERDUE_APPROVALS = `
  SELECT id FROM incidents
  WHERE id IN (SELECT incident_id FROM approvals WHERE status = 'pending' AND expires_at <= $1)
  ORDER BY id
  FOR UPDATE`;

const EXPIRE_OVERDUE_APPROVALS = `
  UPDATE approvals SET status = 'expired', decided_at = expires_at
  WHERE status = 'pending' AND expires_at <= $1 AND incident_id = ANY($2::uuid[])
  RETURNING id, incident_id, expires_at`;

const ESCALATE_AWAITING = `
  UPDATE incidents SET state = 'escalated', updated_at = GREATEST(updated_at, $2), version = version + 1
  WHERE id = ANY($1::uuid[]) AND state = 'awaiting_approval'`;

const CLOSE_MOOT_APPROVAL = `
  UPDATE approvals SET status = 'expired', decided_at = $2, decided_by = $3, note = $4
  WHERE incident_id = $1 AND status = 'pending'
  RETURNING id`;

const EXPIRE_STALE = `
  WITH stale AS (
    SELECT id, state FROM incidents
    WHERE ${ACTIVE_PREDICATE} AND GREATEST(last_failure_at, updated_at) < $1
    FOR UPDATE
  )
  UPDATE incidents i SET state = 'expired', updated_at = GREATEST(i.updated_at, $2), version = i.version + 1
  FROM stale
  WHERE i.id = stale.id
  RETURNING ${INCIDENT_FIELDS.map((f) => `i.${f}`).join(', ')}, stale.state AS previous_state`;

/** Everything else is fixed at open or moved by its own statement. */
const UPDATABLE = new Set<string>([...PATCHABLE_FIELDS, 'state', 'approval_id']);

function updateIncident(id: string, fields: Partial<IncidentRecord>, now: Date): SqlQuery {
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
  const unknown = entries.find(([column]) => !UPDATABLE.has(column));
  if (unknown) throw new Error(`Incident column ${unknown[0]} cannot be updated`);
  const sets = entries.map(([column], index) => `${column} = $${index + 3}`);
  return {
    text: `UPDATE incidents SET ${[...sets, 'updated_at = GREATEST(updated_at, $2)', 'version = version + 1'].join(', ')}
           WHERE id = $1 RETURNING ${INCIDENT_COLUMNS}`,
    values: [id, now, ...entries.map(([, value]) => value)],
  };
}

const isActiveConflict = (error: unknown): boolean =>
  error instanceof QueryFailedError &&
  (error.driverError as { code?: string; constraint?: string }).code === '23505' &&
  (error.driverError as { constraint?: string }).constraint === 'uq_incidents_active';

export class SqlIncidentStore extends IncidentStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async openOrUpdate(input: OpenIncident, now: Date): Promise<{ incident: IncidentRecord; created: boolean }> {
    const detail = { kind: input.kind, severity: input.severity, backlog_size: input.backlogSize };
    const [row] = (await this.dataSource.query(OPEN_OR_UPDATE, [
      input.tenantId,
      input.endpoint,
      input.kind,
      input.severity,
      input.firstFailureAt,
      input.lastFailureAt,
      input.backlogSize,
      now,
      input.cycleId ?? null,
      SYSTEM_ACTOR,
      JSON.stringify(detail),
    ])) as Array<IncidentRecord & { created: boolean }>;
    const { created, ...incident } = row;
    return { incident, created };
  }

  async active(filter: ActiveIncidentFilter = {}): Promise<IncidentRecord[]> {
    return this.dataSource.query(SELECT_ACTIVE, [filter.states ?? ACTIVE_STATES, filter.tenantId ?? null, filter.endpoint ?? null]);
  }

  async list(query: IncidentQuery): Promise<IncidentRecord[]> {
    return this.dataSource.query(LIST_INCIDENTS, [query.state ?? null, query.tenantId ?? null, query.tenantIds ?? null, query.limit]);
  }

  async get(id: string): Promise<IncidentDetail | null> {
    if (!isUuid(id)) return null;
    const [incident] = (await this.dataSource.query(SELECT_INCIDENT, [id])) as IncidentRecord[];
    if (!incident) return null;
    const timeline = (await this.dataSource.query(SELECT_TIMELINE, [id])) as IncidentEvent[];
    const approvals = (await this.dataSource.query(APPROVALS_OF_INCIDENT, [id])) as Approval[];
    return { ...incident, timeline, approvals };
  }

  async transition(
    id: string,
    from: readonly IncidentState[],
    to: IncidentState,
    patch: IncidentPatch,
    event: NewIncidentEvent,
  ): Promise<IncidentRecord | null> {
    if (!isUuid(id)) return null;
    return this.dataSource.transaction(async (tx) => {
      const [current] = (await tx.query(LOCK_INCIDENT, [id])) as IncidentRecord[];
      if (!current || !from.includes(current.state)) return null;
      let updated: IncidentRecord;
      try {
        updated = await this.update(tx, id, { ...patch, state: to }, event.at);
      } catch (error) {
        throw isActiveConflict(error) ? alreadyActiveError(current) : error;
      }
      await this.insertEvents(tx, [{ incidentId: id, ...event, detail: transitionDetail(event, current.state, to) }]);
      if (current.state === 'awaiting_approval' && to !== 'awaiting_approval') await this.closeMoot(tx, id, to, event.actor, event.at);
      return updated;
    });
  }

  async recordEvent(id: string, event: NewIncidentEvent): Promise<IncidentEvent> {
    this.assertUuid(id);
    return this.dataSource.transaction(async (tx) => {
      const touched = await tx.query(TOUCH_INCIDENT, [id, event.at]);
      if (touched[1] === 0) throw new NotFoundError('Incident', id);
      const [stored] = await this.insertEvents(tx, [{ incidentId: id, ...event }]);
      return stored;
    });
  }

  async increment(id: string, counters: IncidentCounters, now: Date): Promise<IncidentRecord> {
    this.assertUuid(id);
    const [rows] = (await this.dataSource.query(INCREMENT_COUNTERS, [
      id,
      counters.probes ?? 0,
      counters.deliveredByHeal ?? 0,
      counters.sendsWasted ?? 0,
      counters.ineffectiveAttempts ?? 0,
      now,
    ])) as [IncidentRecord[], number];
    if (!rows[0]) throw new NotFoundError('Incident', id);
    return rows[0];
  }

  async setBacklog(id: string, size: number, now: Date): Promise<IncidentRecord> {
    this.assertUuid(id);
    return this.update(this.dataSource.manager, id, { backlog_size: size }, now);
  }

  async requestApproval(incidentId: string, request: ApprovalRequest, now: Date): Promise<{ approval: Approval; created: boolean }> {
    this.assertUuid(incidentId);
    return this.dataSource.transaction(async (tx) => {
      let [incident] = (await tx.query(LOCK_INCIDENT, [incidentId])) as IncidentRecord[];
      if (!incident) throw new NotFoundError('Incident', incidentId);
      const [pending] = (await tx.query(LOCK_PENDING_APPROVAL, [incidentId])) as Approval[];
      if (pending && !isOverdue(pending, now)) return { approval: pending, created: false };
      if (pending) {
        await this.expireOverdue(tx, [incidentId], now);
        [incident] = (await tx.query(SELECT_INCIDENT, [incidentId])) as IncidentRecord[];
      }
      if (!isActive(incident.state)) throw notActiveError(incident, 'sent for approval');
      const expiresAt = approvalExpiry(now, request.ttlMinutes);
      const [{ id }] = (await tx.query(INSERT_APPROVAL, [incidentId, JSON.stringify(request.plan), now, expiresAt])) as Array<{
        id: string;
      }>;
      await this.update(tx, incidentId, { state: 'awaiting_approval', approval_id: id }, now);
      const [approval] = (await tx.query(LOCK_APPROVAL, [id])) as Approval[];
      await this.insertEvents(tx, [
        {
          incidentId,
          type: 'approval_requested',
          at: now,
          actor: request.actor,
          cycleId: request.cycleId,
          detail: {
            approval_id: id,
            plan: approval.plan,
            expires_at: expiresAt.toISOString(),
            from: incident.state,
            to: 'awaiting_approval',
          },
        },
      ]);
      return { approval, created: true };
    });
  }

  async getApproval(id: string): Promise<Approval | null> {
    if (!isUuid(id)) return null;
    const [approval] = (await this.dataSource.query(SELECT_APPROVAL, [id])) as Approval[];
    return approval ?? null;
  }

  async listApprovals(query: ApprovalQuery): Promise<Approval[]> {
    return this.dataSource.query(LIST_APPROVALS, [query.status ?? null, query.tenantIds ?? null, query.limit]);
  }

  async decideApproval(id: string, decision: ApprovalDecisionKind, by: ApprovalDecision): Promise<DecidedApproval> {
    if (!isUuid(id)) throw new NotFoundError('Approval', id);
    // An expiry found here is kept (committed) even though the call is then refused.
    const outcome = await this.dataSource.transaction(async (tx) => {
      const [ref] = (await tx.query(APPROVAL_INCIDENT, [id])) as Array<{ incident_id: string }>;
      if (!ref) throw new NotFoundError('Approval', id);
      const [incident] = (await tx.query(LOCK_INCIDENT, [ref.incident_id])) as IncidentRecord[];
      const [approval] = (await tx.query(LOCK_APPROVAL, [id])) as Approval[];
      const refusal = decisionRefusal(approval, incident, by.now);
      if (refusal) {
        if (approval.status === 'pending' && isOverdue(approval, by.now)) await this.expireOverdue(tx, [incident.id], by.now);
        return { refusal };
      }
      const approved = decision === 'approve';
      const note = by.note ?? null;
      await tx.query(DECIDE_APPROVAL, [id, approved ? 'approved' : 'rejected', by.now, by.actor, note]);
      const to = approved ? approvedState(approval.plan) : 'escalated';
      const updated = await this.update(tx, incident.id, to === 'probing' ? { state: to, next_probe_at: by.now } : { state: to }, by.now);
      await this.insertEvents(tx, [
        {
          incidentId: incident.id,
          type: approved ? 'approved' : 'rejected',
          at: by.now,
          actor: by.actor,
          detail: { approval_id: id, note, from: 'awaiting_approval', to },
        },
      ]);
      const [decided] = (await tx.query(LOCK_APPROVAL, [id])) as Approval[];
      return { decided: { approval: decided, incident: updated } };
    });
    if ('refusal' in outcome) throw outcome.refusal;
    return outcome.decided;
  }

  async expireApprovals(now: Date): Promise<Approval[]> {
    const ids = await this.dataSource.transaction(async (tx) => {
      const locked = (await tx.query(LOCK_INCIDENTS_WITH_OVERDUE_APPROVALS, [now])) as Array<{ id: string }>;
      return locked.length === 0
        ? []
        : this.expireOverdue(
            tx,
            locked.map((row) => row.id),
            now,
          );
    });
    if (ids.length === 0) return [];
    return this.dataSource.query(SELECT_APPROVALS_BY_ID, [ids]);
  }

  async expireStale(olderThan: Date, now: Date): Promise<IncidentRecord[]> {
    return this.dataSource.transaction(async (tx) => {
      const [rows] = (await tx.query(EXPIRE_STALE, [olderThan, now])) as [
        Array<IncidentRecord & { previous_state: IncidentState }>,
        number,
      ];
      const detail = (previous: IncidentState) => ({
        reason: `no failure or activity since ${olderThan.toISOString()}`,
        from: previous,
        to: 'expired',
      });
      await this.insertEvents(
        tx,
        rows.map((row) => ({
          incidentId: row.id,
          type: 'state_changed' as const,
          at: now,
          actor: SYSTEM_ACTOR,
          detail: detail(row.previous_state),
        })),
      );
      for (const row of rows)
        if (row.previous_state === 'awaiting_approval') await this.closeMoot(tx, row.id, 'expired', SYSTEM_ACTOR, now);
      return rows
        .map(({ previous_state: _previous, ...incident }) => incident)
        .sort((a, b) => a.opened_at.getTime() - b.opened_at.getTime() || a.id.localeCompare(b.id));
    });
  }

  private assertUuid(id: string): void {
    if (!isUuid(id)) throw new NotFoundError('Incident', id);
  }

  private async update(tx: EntityManager, id: string, fields: Partial<IncidentRecord>, now: Date): Promise<IncidentRecord> {
    const { text, values } = updateIncident(id, fields, now);
    const [rows] = (await tx.query(text, values)) as [IncidentRecord[], number];
    if (!rows[0]) throw new NotFoundError('Incident', id);
    return rows[0];
  }

  private async insertEvents(tx: EntityManager, events: Array<NewIncidentEvent & { incidentId: string }>): Promise<IncidentEvent[]> {
    if (events.length === 0) return [];
    const rows = events.map((e, n) => ({
      n,
      incident_id: e.incidentId,
      at: e.at.toISOString(),
      type: e.type,
      cycle_id: e.cycleId ?? null,
      actor: e.actor,
      detail: e.detail ?? {},
    }));
    return tx.query(INSERT_EVENTS, [JSON.stringify(rows)]);
  }

  /** Expired as of their deadline, incidents back to escalated. */
  private async expireOverdue(tx: EntityManager, incidentIds: string[], now: Date): Promise<string[]> {
    const [expired] = (await tx.query(EXPIRE_OVERDUE_APPROVALS, [now, incidentIds])) as [
      Array<{ id: string; incident_id: string; expires_at: Date }>,
      number,
    ];
    if (expired.length === 0) return [];
    await tx.query(ESCALATE_AWAITING, [expired.map((a) => a.incident_id), now]);
    await this.insertEvents(
      tx,
      expired.map((a) => ({
        incidentId: a.incident_id,
        type: 'approval_expired' as const,
        at: now,
        actor: SYSTEM_ACTOR,
        detail: { approval_id: a.id, expires_at: a.expires_at.toISOString(), from: 'awaiting_approval', to: 'escalated' },
      })),
    );
    return expired.map((a) => a.id);
  }

  private async closeMoot(tx: EntityManager, incidentId: string, to: IncidentState, actor: string, now: Date): Promise<void> {
    const note = mootNote(to, actor);
    const [closed] = (await tx.query(CLOSE_MOOT_APPROVAL, [incidentId, now, actor, note])) as [Array<{ id: string }>, number];
    if (closed.length === 0) return;
    await this.insertEvents(tx, [{ incidentId, type: 'approval_expired', at: now, actor, detail: { approval_id: closed[0].id, note } }]);
  }
}
