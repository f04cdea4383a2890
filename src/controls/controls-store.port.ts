import type { GlobalSafety } from '../rules/rules.types';

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
  reason: string | null;
  override: ControlsOverride | null;
}

export interface ControlsChange {
  autoheal_enabled?: boolean | null;
  dry_run?: boolean | null;
  reason?: string | null;
}

export type ControlsSetting = Pick<ControlsOverride, 'autoheal_enabled' | 'dry_run' | 'reason'>;

/** Overrides the rules file without a redeploy; adapters store only the row, the merge rules are shared. */
export abstract class ControlsStore {
  abstract get(): Promise<ControlsOverride | null>;
  protected abstract save(next: ControlsSetting, by: string, now: Date): Promise<ControlsOverride>;

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
  async set(change: ControlsChange, by: string, now: Date): Promise<ControlsOverride> {
    const current = await this.get();
    const switchesChange = change.autoheal_enabled !== undefined || change.dry_run !== undefined;
    return this.save(
      {
        autoheal_enabled: change.autoheal_enabled === undefined ? (current?.autoheal_enabled ?? null) : change.autoheal_enabled,
        dry_run: change.dry_run === undefined ? (current?.dry_run ?? null) : change.dry_run,
        // A reason explains one switch setting: changing a switch without one clears the old reason.
        reason: change.reason !== undefined ? change.reason : switchesChange ? null : (current?.reason ?? null),
      },
      by,
      now,
    );
  }
}
