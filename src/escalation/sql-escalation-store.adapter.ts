import { DataSource } from 'typeorm';
import { SEVERITIES } from '../rules/rules.types';
import { Escalation } from './escalation';
import { EscalationQuery, EscalationStore, OpenEscalation } from './escalation-store.port';

const COLUMNS = `id, tenant_id, endpoint, priority, status, reason, incident, occurrences, created_at, last_seen_at,
  notified_at, acknowledged_by, acknowledged_at, resolved_by, resolved_at`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PRIORITY_ORDER = `ARRAY[${SEVERITIES.map((s) => `'${s}'`).join(', ')}]::text[]`;

// The upsert rides the partial unique index, so racing instances cannot open two.
const OPEN = `INSERT INTO escalations (tenant_id, endpoint, priority, reason, incident, created_at, last_seen_at)
  VALUES ($1, $2, $3, $4, $5::jsonb, $6, $6)
  ON CONFLICT (tenant_id, endpoint) WHERE status <> 'resolved' DO UPDATE SET
    occurrences = escalations.occurrences + 1,
    last_seen_at = GREATEST(escalations.last_seen_at, EXCLUDED.last_seen_at),
    incident = EXCLUDED.incident,
    priority = CASE
      WHEN array_position(${PRIORITY_ORDER}, EXCLUDED.priority) > array_position(${PRIORITY_ORDER}, escalations.priority)
      THEN EXCLUDED.priority ELSE escalations.priority END
  RETURNING ${COLUMNS}`;
const ACKNOWLEDGE = `UPDATE escalations SET status = 'acknowledged', acknowledged_by = $2, acknowledged_at = $3
  WHERE id = $1 AND status = 'open' RETURNING ${COLUMNS}`;
const RESOLVE = `UPDATE escalations SET status = 'resolved', resolved_by = $2, resolved_at = $3
  WHERE id = $1 AND status IN ('open', 'acknowledged') RETURNING ${COLUMNS}`;
const LIST = `SELECT ${COLUMNS} FROM escalations
  WHERE ($1::text IS NULL OR status = $1) AND ($2::text[] IS NULL OR tenant_id = ANY($2::text[]))
  ORDER BY created_at DESC, id DESC LIMIT $3`;
const FIND_BY_ID = `SELECT ${COLUMNS} FROM escalations WHERE id = $1`;
const FIND_UNRESOLVED = `SELECT ${COLUMNS} FROM escalations WHERE tenant_id = $1 AND endpoint = $2 AND status <> 'resolved'`;
const MARK_NOTIFIED = `UPDATE escalations SET notified_at = $2 WHERE id = $1 RETURNING ${COLUMNS}`;

export class SqlEscalationStore extends EscalationStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async open(input: OpenEscalation): Promise<{ escalation: Escalation; created: boolean }> {
    const { incident } = input;
    const [row] = await this.rows(OPEN, [
      incident.tenant_id,
      incident.endpoint,
      input.priority,
      input.reason,
      JSON.stringify(incident),
      input.now,
    ]);
    // An insert starts at 1 and a bump only ever adds, so 1 means this call created it.
    return { escalation: row, created: row.occurrences === 1 };
  }

  acknowledgeIfOpen(id: string, by: string, now: Date): Promise<Escalation | null> {
    return this.one(id, ACKNOWLEDGE, [id, by, now]);
  }

  resolveIfUnresolved(id: string, by: string, now: Date): Promise<Escalation | null> {
    return this.one(id, RESOLVE, [id, by, now]);
  }

  list(query: EscalationQuery): Promise<Escalation[]> {
    return this.rows(LIST, [query.status ?? null, query.tenantIds ? [...query.tenantIds] : null, query.limit]);
  }

  findById(id: string): Promise<Escalation | null> {
    return this.one(id, FIND_BY_ID, [id]);
  }

  async findUnresolved(tenantId: string, endpoint: string): Promise<Escalation | null> {
    const [row] = await this.rows(FIND_UNRESOLVED, [tenantId, endpoint]);
    return row ?? null;
  }

  markNotified(id: string, now: Date): Promise<Escalation | null> {
    return this.one(id, MARK_NOTIFIED, [id, now]);
  }

  /** A malformed id names no row; PostgreSQL would answer it with a cast error. */
  private async one(id: string, sql: string, params: unknown[]): Promise<Escalation | null> {
    if (!UUID.test(id)) return null;
    const [row] = await this.rows(sql, params);
    return row ?? null;
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
