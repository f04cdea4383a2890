import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { endpointKey } from '../../common/endpoint-key';

export interface Deferral {
  tenant_id: string;
  endpoint: string;
  deferrals: number;
  first_deferred_at: Date;
  last_deferred_at: Date;
  recheck_at: Date;
  notified_at: Date | null;
  status: 'active' | 'cleared' | 'escalated';
}

const COLUMNS = 'tenant_id, endpoint, deferrals, first_deferred_at, last_deferred_at, recheck_at, notified_at, status';

/**
 * Consecutive deferrals of one tenant+endpoint incident. A run of deferrals ends when the
 * incident clears, or is healed or escalated; the next deferral then starts counting at 1.
 */
@Injectable()
export class DeferralStore {
  constructor(private readonly dataSource: DataSource) {}

  async active(): Promise<Map<string, Deferral>> {
    const rows: Deferral[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM incident_deferrals WHERE status = 'active'`);
    return new Map(rows.map((row) => [endpointKey(row.tenant_id, row.endpoint), row]));
  }

  async record(tenantId: string, endpoint: string, now: Date, recheckAt: Date): Promise<Deferral> {
    const [row] = await this.dataSource.query(
      `INSERT INTO incident_deferrals (tenant_id, endpoint, deferrals, first_deferred_at, last_deferred_at, recheck_at, status)
       VALUES ($1, $2, 1, $3, $3, $4, 'active')
       ON CONFLICT (tenant_id, endpoint) DO UPDATE SET
         deferrals = CASE WHEN incident_deferrals.status = 'active' THEN incident_deferrals.deferrals + 1 ELSE 1 END,
         first_deferred_at = CASE WHEN incident_deferrals.status = 'active' THEN incident_deferrals.first_deferred_at ELSE $3 END,
         notified_at = CASE WHEN incident_deferrals.status = 'active' THEN incident_deferrals.notified_at ELSE NULL END,
         last_deferred_at = $3, recheck_at = $4, status = 'active'
       RETURNING ${COLUMNS}`,
      [tenantId, endpoint, now, recheckAt],
    );
    return row;
  }

  async markNotified(tenantId: string, endpoint: string, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE incident_deferrals SET notified_at = $3 WHERE tenant_id = $1 AND endpoint = $2`, [tenantId, endpoint, now]);
  }

  /** Ends a run of deferrals: `cleared` (recovered or healed) or `escalated`. */
  async close(tenantId: string, endpoint: string, status: 'cleared' | 'escalated'): Promise<void> {
    await this.dataSource.query(
      `UPDATE incident_deferrals SET status = $3 WHERE tenant_id = $1 AND endpoint = $2 AND status = 'active'`,
      [tenantId, endpoint, status],
    );
  }

  /**
   * After a live cycle has looked at every incident, no recheck is due any more: one that was
   * not deferred again (skipped, or handled otherwise) waits a full delay, instead of making the
   * scheduler run a cycle on every poll.
   */
  async postponeDue(now: Date, until: Date): Promise<void> {
    await this.dataSource.query(`UPDATE incident_deferrals SET recheck_at = $2 WHERE status = 'active' AND recheck_at <= $1`, [now, until]);
  }

  /** The earliest pending recheck, for the scheduler. */
  async nextRecheckAt(): Promise<Date | null> {
    const [row] = await this.dataSource.query(`SELECT min(recheck_at) AS at FROM incident_deferrals WHERE status = 'active'`);
    return row?.at ?? null;
  }
}
