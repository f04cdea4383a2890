import { DataSource } from 'typeorm';
import { ControlsOverride, ControlsSetting, ControlsStore } from './controls-store.port';

const SELECT_CONTROLS = `SELECT autoheal_enabled, dry_run, reason, updated_by, updated_at FROM autoheal_controls WHERE id`;
const UPSERT_CONTROLS = `INSERT INTO autoheal_controls (id, autoheal_enabled, dry_run, reason, updated_by, updated_at)
  VALUES (true, $1, $2, $3, $4, $5)
  ON CONFLICT (id) DO UPDATE SET autoheal_enabled = $1, dry_run = $2, reason = $3, updated_by = $4, updated_at = $5
  RETURNING autoheal_enabled, dry_run, reason, updated_by, updated_at`;

/** So a restart or a Redis flush never silently turns healing back on. */
export class SqlControlsStore extends ControlsStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async get(): Promise<ControlsOverride | null> {
    const [row] = await this.dataSource.query(SELECT_CONTROLS);
    return row ?? null;
  }

  protected async save(next: ControlsSetting, by: string, now: Date): Promise<ControlsOverride> {
    const [row] = await this.dataSource.query(UPSERT_CONTROLS, [next.autoheal_enabled, next.dry_run, next.reason, by, now]);
    return row;
  }
}
