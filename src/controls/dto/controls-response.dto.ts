import type { ControlsOverride, EffectiveControls } from '../controls-store.port';

/** What was set at run time; null fields fall back to the rules file. */
export class ControlsOverrideDto implements ControlsOverride {
  autoheal_enabled: boolean | null;
  dry_run: boolean | null;
  reason: string | null;
  updated_by: string;
  updated_at: Date;
}

export class EffectiveControlsDto implements EffectiveControls {
  /** false: the kill switch is on. */
  autoheal_enabled: boolean;
  dry_run: boolean;
  reason: string | null;
  override: ControlsOverrideDto | null;
}
