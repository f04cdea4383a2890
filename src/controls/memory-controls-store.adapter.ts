import { ControlsOverride, ControlsSetting, ControlsStore } from './controls-store.port';

export class MemoryControlsStore extends ControlsStore {
  private row: ControlsOverride | null = null;

  async get(): Promise<ControlsOverride | null> {
    return this.row ? { ...this.row } : null;
  }

  protected async save(next: ControlsSetting, by: string, now: Date): Promise<ControlsOverride> {
    this.row = { ...next, updated_by: by, updated_at: new Date(now) };
    return { ...this.row };
  }
}
