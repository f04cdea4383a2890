import { DataSource } from 'typeorm';
import { MaintenanceStore, MaintenanceWindow } from './maintenance-store.port';

const UPSERT_WINDOW = `INSERT INTO endpoint_maintenance (endpoint, reason, until, set_by, created_at) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (endpoint) DO UPDATE SET reason = $2, until = $3, set_by = $4, created_at = $5
  RETURNING endpoint, reason, until, set_by, created_at`;
const DELETE_WINDOW = `DELETE FROM endpoint_maintenance WHERE endpoint = $1`;
const ACTIVE_WINDOWS = `SELECT endpoint, reason, until, set_by, created_at FROM endpoint_maintenance WHERE until > $1 ORDER BY until`;

export class SqlMaintenanceStore extends MaintenanceStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async set(endpoint: string, until: Date, reason: string | null, by: string, now: Date): Promise<MaintenanceWindow> {
    const [row] = await this.dataSource.query(UPSERT_WINDOW, [endpoint, reason, until, by, now]);
    return row;
  }

  async clear(endpoint: string): Promise<boolean> {
    const [, affected] = await this.dataSource.query(DELETE_WINDOW, [endpoint]);
    return affected > 0;
  }

  async active(now: Date): Promise<Map<string, MaintenanceWindow>> {
    const rows: MaintenanceWindow[] = await this.dataSource.query(ACTIVE_WINDOWS, [now]);
    return new Map(rows.map((row) => [row.endpoint, row]));
  }
}
