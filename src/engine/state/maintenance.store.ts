import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface MaintenanceWindow {
  endpoint: string;
  reason: string | null;
  until: Date;
  set_by: string;
  created_at: Date;
}

/** Per-endpoint maintenance flags with an expiry: the engine leaves such endpoints alone. */
@Injectable()
export class MaintenanceStore {
  constructor(private readonly dataSource: DataSource) {}

  async set(endpoint: string, until: Date, reason: string | null, by: string, now: Date): Promise<MaintenanceWindow> {
    const [row] = await this.dataSource.query(
      `INSERT INTO endpoint_maintenance (endpoint, reason, until, set_by, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (endpoint) DO UPDATE SET reason = $2, until = $3, set_by = $4, created_at = $5
       RETURNING endpoint, reason, until, set_by, created_at`,
      [endpoint, reason, until, by, now],
    );
    return row;
  }

  async clear(endpoint: string): Promise<boolean> {
    const [, affected] = await this.dataSource.query(`DELETE FROM endpoint_maintenance WHERE endpoint = $1`, [endpoint]);
    return affected > 0;
  }

  /** Windows still in force at `now`, keyed by endpoint. */
  async active(now: Date): Promise<Map<string, MaintenanceWindow>> {
    const rows: MaintenanceWindow[] = await this.dataSource.query(
      `SELECT endpoint, reason, until, set_by, created_at FROM endpoint_maintenance WHERE until > $1 ORDER BY until`,
      [now],
    );
    return new Map(rows.map((row) => [row.endpoint, row]));
  }
}
