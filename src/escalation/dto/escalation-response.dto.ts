import { AnomalyDto } from '../../anomalies/dto/anomaly-response.dto';
import type { Escalation, EscalationPriority, EscalationStatus } from '../escalation';

/** An operator incident: open → acknowledged → resolved. */
export class EscalationDto implements Escalation {
  id: string;
  tenant_id: string;
  endpoint: string;
  priority: EscalationPriority;
  status: EscalationStatus;
  reason: string;
  /** The latest incident that opened or bumped it. */
  incident: AnomalyDto;
  occurrences: number;
  created_at: Date;
  last_seen_at: Date;
  notified_at: Date | null;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  resolved_by: string | null;
  resolved_at: Date | null;
}
