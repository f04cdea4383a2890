import type { MaintenanceWindow } from '../maintenance-store.port';

export class MaintenanceWindowDto implements MaintenanceWindow {
  endpoint: string;
  reason: string | null;
  until: Date;
  set_by: string;
  created_at: Date;
}
