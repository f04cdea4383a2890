import { DataSource } from 'typeorm';
import type { NewRecovery, RecoveryCounts, RecoveryQuery, RecoveryRecord } from './recovery';
import { RecoveryStore } from './recovery-store.port';

const COLUMNS = `id, tenant_id, endpoint, since, until, statuses, triage_labels, state, total, sent, delivered, failed, skipped,
  remaining, paused_reason, created_by, created_at, updated_at, started_at, finished_at, cancelled_by, error`;

const INSERT = `
  INSERT INTO recoveries (tenant_id, endpoint, since, until, statuses, triage_labels, total, remaining, created_by, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $9)
  RETURNING ${COLUMNS}`;
const GET = `SELECT ${COLUMNS} FROM recoveries WHERE id = $1`;
const LIST = `
  SELECT ${COLUMNS} FROM recoveries
   WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR state = $2)
     AND ($4::text[] IS NULL OR tenant_id = ANY($4))
   ORDER BY created_at DESC, id DESC
   LIMIT $3`;
const START = `
  UPDATE recoveries SET state = 'running', started_at = COALESCE(started_at, $2), updated_at = $2
   WHERE id = $1 AND state IN ('queued', 'running')
   RETURNING ${COLUMNS}`;
const PROGRESS = `
  UPDATE recoveries
     SET sent = $2, delivered = $3, failed = $4, skipped = $5, remaining = GREATEST(0, total - $2 - $5),
         paused_reason = CASE WHEN state = 'running' THEN $6 END, updated_at = $7
   WHERE id = $1 AND state IN ('running', 'cancelled')
   RETURNING ${COLUMNS}`;
const FINISH = `
  UPDATE recoveries
     SET state = $2, error = $3, paused_reason = NULL, finished_at = $4, updated_at = $4,
         remaining = CASE WHEN $2 = 'completed' THEN 0 ELSE remaining END
   WHERE id = $1 AND state = 'running'
   RETURNING ${COLUMNS}`;
const CANCEL = `
  UPDATE recoveries SET state = 'cancelled', cancelled_by = $2, paused_reason = NULL, finished_at = $3, updated_at = $3
   WHERE id = $1 AND state IN ('queued', 'running')
   RETURNING ${COLUMNS}`;
const UNFINISHED = `SELECT ${COLUMNS} FROM recoveries WHERE state IN ('queued', 'running') ORDER BY created_at, id`;

export class SqlRecoveryStore extends RecoveryStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async create(r: NewRecovery, now: Date): Promise<RecoveryRecord> {
    const params = [r.tenantId, r.endpoint, r.since, r.until, r.statuses, r.triageLabels, r.total, r.createdBy, now];
    const [row] = await this.dataSource.query(INSERT, params);
    return row;
  }

  async get(id: string): Promise<RecoveryRecord | null> {
    const [row] = await this.dataSource.query(GET, [id]);
    return row ?? null;
  }

  async list(query: RecoveryQuery): Promise<RecoveryRecord[]> {
    return this.dataSource.query(LIST, [query.tenantId ?? null, query.state ?? null, query.limit, query.tenantIds ?? null]);
  }

  async start(id: string, now: Date): Promise<RecoveryRecord | null> {
    return this.update(START, [id, now]);
  }

  async progress(id: string, c: RecoveryCounts, pausedReason: string | null, now: Date): Promise<RecoveryRecord | null> {
    return this.update(PROGRESS, [id, c.sent, c.delivered, c.failed, c.skipped, pausedReason, now]);
  }

  async finish(id: string, outcome: 'completed' | 'failed', error: string | null, now: Date): Promise<RecoveryRecord | null> {
    return this.update(FINISH, [id, outcome, error, now]);
  }

  async cancel(id: string, by: string, now: Date): Promise<RecoveryRecord | null> {
    return this.update(CANCEL, [id, by, now]);
  }

  async unfinished(): Promise<RecoveryRecord[]> {
    return this.dataSource.query(UNFINISHED);
  }

  private async update(sql: string, params: unknown[]): Promise<RecoveryRecord | null> {
    const [rows]: [RecoveryRecord[], number] = await this.dataSource.query(sql, params);
    return rows[0] ?? null;
  }
}
