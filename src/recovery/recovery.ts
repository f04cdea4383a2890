import type { DeliveryStatus } from '../deliveries/delivery.constants';

export const RECOVERY_STATES = ['queued', 'running', 'completed', 'cancelled', 'failed'] as const;
export type RecoveryState = (typeof RECOVERY_STATES)[number];
export const UNFINISHED_RECOVERY_STATES: readonly RecoveryState[] = ['queued', 'running'];

/** An operator recovery, as stored and as the API shows it. */
export interface RecoveryRecord {
  id: string;
  tenant_id: string;
  endpoint: string | null;
  since: Date;
  until: Date | null;
  statuses: DeliveryStatus[];
  triage_labels: string[] | null;
  state: RecoveryState;
  /** Deliveries the plan counted when the recovery was created. */
  total: number;
  sent: number;
  delivered: number;
  failed: number;
  /** Not sent: claimed by someone else meanwhile, or the target was refused. */
  skipped: number;
  remaining: number;
  /** Why a running recovery is waiting (maintenance), null while it sends. */
  paused_reason: string | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  cancelled_by: string | null;
  error: string | null;
}

export interface NewRecovery {
  tenantId: string;
  endpoint: string | null;
  since: Date;
  until: Date | null;
  statuses: DeliveryStatus[];
  triageLabels: string[] | null;
  total: number;
  createdBy: string;
}

export interface RecoveryCounts {
  sent: number;
  delivered: number;
  failed: number;
  skipped: number;
}

export interface RecoveryQuery {
  tenantId?: string;
  /** A scoped caller's tenants; undefined means every tenant. */
  tenantIds?: string[];
  state?: RecoveryState;
  limit: number;
}
