import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Incident } from '../anomalies/incident';
import { DomainError, NotFoundError } from '../common/domain-error';
import { SEVERITIES } from '../rules/rules.types';
import { Escalation, EscalationPriority, EscalationStatus } from './escalation';

export interface OpenEscalation {
  incident: Incident;
  priority: EscalationPriority;
  reason: string;
  now: Date;
}

const COLUMNS = `id, tenant_id, endpoint, priority, status, reason, incident, occurrences, created_at, last_seen_at,
  notified_at, acknowledged_by, acknowledged_at, resolved_by, resolved_at`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PRIORITY_ORDER = `ARRAY[${SEVERITIES.map((s) => `'${s}'`).join(', ')}]::text[]`;

/** Operator incidents over `escalations`; at most one unresolved per tenant+endpoint. */
@Injectable()
export class EscalationService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Opens an escalation, or bumps the unresolved one for the same tenant+endpoint. The upsert
   * rides the partial unique index, so racing instances cannot open two. A bump keeps the
   * higher priority of the two.
   */
  async open(input: OpenEscalation): Promise<{ escalation: Escalation; created: boolean }> {
    const [row] = await this.rows(
      `INSERT INTO escalations (tenant_id, endpoint, priority, reason, incident, created_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $6)
       ON CONFLICT (tenant_id, endpoint) WHERE status <> 'resolved' DO UPDATE SET
         occurrences = escalations.occurrences + 1,
         last_seen_at = GREATEST(escalations.last_seen_at, EXCLUDED.last_seen_at),
         incident = EXCLUDED.incident,
         priority = CASE
           WHEN array_position(${PRIORITY_ORDER}, EXCLUDED.priority) > array_position(${PRIORITY_ORDER}, escalations.priority)
           THEN EXCLUDED.priority ELSE escalations.priority END
       RETURNING ${COLUMNS}`,
      [input.incident.tenant_id, input.incident.endpoint, input.priority, input.reason, JSON.stringify(input.incident), input.now],
    );
    // An insert starts at 1 and a bump only ever adds, so 1 means this call created it.
    return { escalation: row, created: row.occurrences === 1 };
  }

  /** open → acknowledged; acknowledging twice returns it unchanged; a resolved one is a 409. */
  async acknowledge(id: string, by: string, now: Date): Promise<Escalation> {
    assertKnownShape(id);
    const [updated] = await this.rows(
      `UPDATE escalations SET status = 'acknowledged', acknowledged_by = $2, acknowledged_at = $3
       WHERE id = $1 AND status = 'open' RETURNING ${COLUMNS}`,
      [id, by, now],
    );
    if (updated) return updated;
    const current = await this.get(id);
    if (current.status === 'resolved') {
      throw new DomainError(
        'escalation_resolved',
        `Escalation ${id} was resolved${current.resolved_by ? ` by ${current.resolved_by}` : ''}; a resolved escalation cannot be acknowledged`,
        HttpStatus.CONFLICT,
      );
    }
    return current;
  }

  /** open or acknowledged → resolved; resolving a resolved one returns it unchanged. */
  async resolve(id: string, by: string, now: Date): Promise<Escalation> {
    assertKnownShape(id);
    const [updated] = await this.rows(
      `UPDATE escalations SET status = 'resolved', resolved_by = $2, resolved_at = $3
       WHERE id = $1 AND status IN ('open', 'acknowledged') RETURNING ${COLUMNS}`,
      [id, by, now],
    );
    return updated ?? this.get(id);
  }

  /** Newest first. */
  list(query: { status?: EscalationStatus; limit: number }): Promise<Escalation[]> {
    return query.status
      ? this.rows(`SELECT ${COLUMNS} FROM escalations WHERE status = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, [query.status, query.limit])
      : this.rows(`SELECT ${COLUMNS} FROM escalations ORDER BY created_at DESC, id DESC LIMIT $1`, [query.limit]);
  }

  async get(id: string): Promise<Escalation> {
    assertKnownShape(id);
    const [row] = await this.rows(`SELECT ${COLUMNS} FROM escalations WHERE id = $1`, [id]);
    if (!row) throw new NotFoundError('Escalation', id);
    return row;
  }

  /** The open or acknowledged escalation of a tenant+endpoint, if any (there is at most one). */
  async findUnresolved(tenantId: string, endpoint: string): Promise<Escalation | null> {
    const [row] = await this.rows(`SELECT ${COLUMNS} FROM escalations WHERE tenant_id = $1 AND endpoint = $2 AND status <> 'resolved'`, [tenantId, endpoint]);
    return row ?? null;
  }

  async markNotified(id: string, now: Date): Promise<Escalation> {
    assertKnownShape(id);
    const [row] = await this.rows(`UPDATE escalations SET notified_at = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, now]);
    if (!row) throw new NotFoundError('Escalation', id);
    return row;
  }

  private async rows(sql: string, params: unknown[]): Promise<Escalation[]> {
    // A structured result, because a plain UPDATE … RETURNING answers [rows, count].
    const runner = this.dataSource.createQueryRunner();
    try {
      return (await runner.query(sql, params, true)).records as Escalation[];
    } finally {
      await runner.release();
    }
  }
}

/** A malformed id names no escalation; PostgreSQL would answer it with a cast error (a 500). */
function assertKnownShape(id: string): void {
  if (!UUID.test(id)) throw new NotFoundError('Escalation', id);
}
