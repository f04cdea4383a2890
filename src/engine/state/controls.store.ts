import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { GlobalSafety } from '../../rules/rules.types';

export interface ControlsOverride {
  autoheal_enabled: boolean | null;
  dry_run: boolean | null;
  reason: string | null;
  updated_by: string;
  updated_at: Date;
}

export interface EffectiveControls {
  autoheal_enabled: boolean;
  dry_run: boolean;
  /** Why healing is off or dry, when an operator said so. */
  reason: string | null;
  override: ControlsOverride | null;
}

/**
 * Run-time kill switch and dry-run mode. They override the rules file without a redeploy and
 * live in PostgreSQL, so a restart or a Redis flush never silently turns healing back on.
 */
@Injectable()
export class ControlsStore {
  constructor(private readonly dataSource: DataSource) {}

  async get(): Promise<ControlsOverride | null> {
    const [row] = await this.dataSource.query(
      `SELECT autoheal_enabled, dry_run, reason, updated_by, updated_at FROM autoheal_controls WHERE id`,
    );
    return row ?? null;
  }

  async effective(safety: GlobalSafety): Promise<EffectiveControls> {
    const override = await this.get();
    return {
      autoheal_enabled: override?.autoheal_enabled ?? safety.autoheal_enabled,
      dry_run: override?.dry_run ?? safety.dry_run,
      reason: override?.reason ?? null,
      override,
    };
  }

  /** `null` for a field hands it back to the rules file. */
  async set(change: { autoheal_enabled?: boolean | null; dry_run?: boolean | null; reason?: string | null }, by: string, now: Date): Promise<ControlsOverride> {
    const current = await this.get();
    const next = {
      autoheal_enabled: change.autoheal_enabled === undefined ? (current?.autoheal_enabled ?? null) : change.autoheal_enabled,
      dry_run: change.dry_run === undefined ? (current?.dry_run ?? null) : change.dry_run,
      // A reason explains one switch setting: changing a switch without one clears the old reason.
      reason: change.reason !== undefined ? change.reason : switchesChange(change) ? null : (current?.reason ?? null),
    };
    const [row] = await this.dataSource.query(
      `INSERT INTO autoheal_controls (id, autoheal_enabled, dry_run, reason, updated_by, updated_at)
       VALUES (true, $1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET autoheal_enabled = $1, dry_run = $2, reason = $3, updated_by = $4, updated_at = $5
       RETURNING autoheal_enabled, dry_run, reason, updated_by, updated_at`,
      [next.autoheal_enabled, next.dry_run, next.reason, by, now],
    );
    return row;
  }
}

function switchesChange(change: { autoheal_enabled?: boolean | null; dry_run?: boolean | null }): boolean {
  return change.autoheal_enabled !== undefined || change.dry_run !== undefined;
}
