import { DataSource } from 'typeorm';
import { endpointKey } from '../common/endpoint-key';
import { Deferral, DeferralStore } from './deferral-store.port';

const COLUMNS = 'tenant_id, endpoint, deferrals, first_deferred_at, last_deferred_at, recheck_at, notified_at, status';
const ACTIVE_DEFERRALS = `SELECT ${COLUMNS} FROM incident_deferrals WHERE status = 'active'`;
const RECORD_DEFERRAL = `INSERT INTO incident_deferrals
    (tenant_id, endpoint, deferrals, first_deferred_at, last_deferred_at, recheck_at, status)
  VALUES ($1, $2, 1, $3, $3, $4, 'active')
  ON CONFLICT (tenant_id, endpoint) DO UPDATE SET
    deferrals = CASE WHEN incident_deferrals.status = 'active' THEN incident_deferrals.deferrals + 1 ELSE 1 END,
    first_deferred_at = CASE WHEN incident_deferrals.status = 'active' THEN incident_deferrals.first_deferred_at ELSE $3 END,
    notified_at = CASE WHEN incident_deferrals.status = 'active' THEN incident_deferrals.notified_at ELSE NULL END,
    last_deferred_at = $3, recheck_at = $4, status = 'active'
  RETURNING ${COLUMNS}`;
const MARK_NOTIFIED = `UPDATE incident_deferrals SET notified_at = $3 WHERE tenant_id = $1 AND endpoint = $2`;
const CLOSE_RUN = `UPDATE incident_deferrals SET status = $3 WHERE tenant_id = $1 AND endpoint = $2 AND status = 'active'`;
const POSTPONE_DUE = `UPDATE incident_deferrals SET recheck_at = $2 WHERE status = 'active' AND recheck_at <= $1`;
const NEXT_RECHECK = `SELECT min(recheck_at) AS at FROM incident_deferrals WHERE status = 'active'`;

export class SqlDeferralStore extends DeferralStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async active(): Promise<Map<string, Deferral>> {
    const rows: Deferral[] = await this.dataSource.query(ACTIVE_DEFERRALS);
    return new Map(rows.map((row) => [endpointKey(row.tenant_id, row.endpoint), row]));
  }

  async record(tenantId: string, endpoint: string, now: Date, recheckAt: Date): Promise<Deferral> {
    const [row] = await this.dataSource.query(RECORD_DEFERRAL, [tenantId, endpoint, now, recheckAt]);
    return row;
  }

  async markNotified(tenantId: string, endpoint: string, now: Date): Promise<void> {
    await this.dataSource.query(MARK_NOTIFIED, [tenantId, endpoint, now]);
  }

  async close(tenantId: string, endpoint: string, status: 'cleared' | 'escalated'): Promise<void> {
    await this.dataSource.query(CLOSE_RUN, [tenantId, endpoint, status]);
  }

  async postponeDue(now: Date, until: Date): Promise<void> {
    await this.dataSource.query(POSTPONE_DUE, [now, until]);
  }

  async nextRecheckAt(): Promise<Date | null> {
    const [row] = await this.dataSource.query(NEXT_RECHECK);
    return row?.at ?? null;
  }
}
