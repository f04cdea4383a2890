import type { SilenceList, SilenceView } from '../silences.controller';

// Response models for the OpenAPI document; `implements` keeps them in step with what the store returns.

/** Pages of `tenant_id` whose error signature is `signature` are not sent until `ends_at` (or an early DELETE). */
export class SilenceDto implements SilenceView {
  id: string;
  signature: string;
  tenant_id: string;
  created_at: Date;
  ends_at: Date;
  /** Pages from one endpoint this close together are one occurrence. */
  dedup_window_seconds: number;
  /** The occurrence that reaches it sends one escalation page. */
  max_occurrences: number;
  occurrences: number;
  suppressed: number;
  escalated_at: Date | null;
  created_by: string;
  comment: string | null;
  incident_id: string | null;
  /** Ended early by an operator (DELETE). */
  expired_at: Date | null;
  expired_by: string | null;
  /** `active` until `ends_at` or an early DELETE, then `expired`. */
  status: 'active' | 'expired';
}

export class SilenceListDto implements SilenceList {
  /** Newest first. */
  silences: SilenceDto[];
}
