import { MaintenanceStore, MaintenanceWindow } from './maintenance-store.port';

export class MemoryMaintenanceStore extends MaintenanceStore {
  private readonly windows = new Map<string, MaintenanceWindow>();

  async set(endpoint: string, until: Date, reason: string | null, by: string, now: Date): Promise<MaintenanceWindow> {
    const window = { endpoint, reason, until: new Date(until), set_by: by, created_at: new Date(now) };
    this.windows.set(endpoint, window);
    return { ...window };
  }

  async clear(endpoint: string): Promise<boolean> {
    return this.windows.delete(endpoint);
  }

  async active(now: Date): Promise<Map<string, MaintenanceWindow>> {
    const inForce = [...this.windows.values()].filter((w) => w.until > now).sort((a, b) => a.until.getTime() - b.until.getTime());
    return new Map(inForce.map((w) => [w.endpoint, { ...w }]));
  }
}
