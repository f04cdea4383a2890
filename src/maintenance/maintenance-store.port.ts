export interface MaintenanceWindow {
  endpoint: string;
  reason: string | null;
  until: Date;
  set_by: string;
  created_at: Date;
}

/** Per-endpoint maintenance flags with an expiry: the engine leaves such endpoints alone. */
export abstract class MaintenanceStore {
  /** Sets or replaces the endpoint's window. */
  abstract set(endpoint: string, until: Date, reason: string | null, by: string, now: Date): Promise<MaintenanceWindow>;
  /** False when the endpoint had no window. */
  abstract clear(endpoint: string): Promise<boolean>;
  /** Windows still in force at `now`, keyed by endpoint, soonest end first. */
  abstract active(now: Date): Promise<Map<string, MaintenanceWindow>>;
}
