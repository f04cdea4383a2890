export interface MaintenanceWindow {
  endpoint: string;
  reason: string | null;
  until: Date;
  set_by: string;
  created_at: Date;
}

export abstract class MaintenanceStore {
  abstract set(endpoint: string, until: Date, reason: string | null, by: string, now: Date): Promise<MaintenanceWindow>;
  abstract clear(endpoint: string): Promise<boolean>;
  /** Keyed by endpoint, soonest end first. */
  abstract active(now: Date): Promise<Map<string, MaintenanceWindow>>;
}
