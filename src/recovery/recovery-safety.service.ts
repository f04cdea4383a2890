import { Injectable } from '@nestjs/common';
import { ControlsStore } from '../controls/controls-store.port';
import type { MaintenanceWindow } from '../maintenance/maintenance-store.port';
import { MaintenanceStore } from '../maintenance/maintenance-store.port';
import { RulesSource } from '../rules/rules.source';

/** The run-time checks an operator recovery obeys between sends: the kill switch and maintenance windows. */
@Injectable()
export class RecoverySafety {
  constructor(
    private readonly controls: ControlsStore,
    private readonly maintenance: MaintenanceStore,
    private readonly rules: RulesSource,
  ) {}

  /** Why auto-healing is switched off, or null while it is on. */
  async killSwitch(): Promise<string | null> {
    const controls = await this.controls.effective(this.rules.current().global_safety);
    if (controls.autoheal_enabled) return null;
    return `auto-healing is disabled (kill switch)${controls.reason ? `: ${controls.reason}` : ''}`;
  }

  /** The first window in force over one of `endpoints`, or null. */
  async maintenanceOf(endpoints: readonly string[], now: Date): Promise<MaintenanceWindow | null> {
    const active = await this.maintenance.active(now);
    for (const endpoint of endpoints) {
      const window = active.get(endpoint);
      if (window) return window;
    }
    return null;
  }
}
