import type { DeliveryStatus } from '../../deliveries/delivery.constants';
import type { CreatedRecoveryView, RecoveryPlanView } from '../recoveries.service';
import type { RecoveryRecord, RecoveryState } from '../recovery';

export class RecoveryDto implements RecoveryRecord {
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

export class CreatedRecoveryDto extends RecoveryDto implements CreatedRecoveryView {
  estimated_duration_seconds: number;
}

export class RecoveryListDto {
  recoveries: RecoveryDto[];
}

export class RecoveryPlanEndpointDto {
  endpoint: string;
  count: number;
  oldest_at: Date;
  newest_at: Date;
}

export class RecoveryPacingDto {
  drain_rate_per_second: number;
  drain_concurrency: number;
}

/** A dry run's answer: what would be sent; nothing is sent or stored. */
export class RecoveryPlanDto implements RecoveryPlanView {
  dry_run: true;
  tenant_id: string;
  endpoint: string | null;
  per_endpoint: RecoveryPlanEndpointDto[];
  total: number;
  estimated_duration_seconds: number;
  pacing: RecoveryPacingDto;
}
