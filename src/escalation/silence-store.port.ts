/** Alertmanager-like: a page of `tenant_id` whose error signature is `signature` is not sent until `ends_at`. */
export interface Silence {
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
}

export interface NewSilence {
  signature: string;
  tenantId: string;
  now: Date;
  durationMinutes: number;
  dedupWindowSeconds: number;
  maxOccurrences: number;
  createdBy: string;
  comment: string | null;
  incidentId: string | null;
}

export interface SilenceQuery {
  now: Date;
  status?: 'active' | 'expired';
  tenants?: readonly string[];
  limit: number;
}

/** One matching page, counted: `escalate` is true exactly once per silence, for the page that reaches max_occurrences. */
export interface Occurrence {
  silence: Silence;
  counted: boolean;
  escalate: boolean;
}

export const isActive = (silence: Silence, now: Date) => silence.expired_at === null && silence.ends_at > now;

export abstract class SilenceStore {
  abstract create(silence: NewSilence): Promise<Silence>;
  abstract get(id: string): Promise<Silence | null>;
  /** Newest first. */
  abstract list(query: SilenceQuery): Promise<Silence[]>;
  /** The active silence of this tenant and signature, if any (the latest). */
  abstract match(tenantId: string, signature: string, now: Date): Promise<Silence | null>;
  /** Atomic across instances; null once the silence is no longer active. `source` is the page's endpoint. */
  abstract countOccurrence(id: string, source: string, now: Date): Promise<Occurrence | null>;
  /** False when it was not active. */
  abstract expire(id: string, by: string, now: Date): Promise<boolean>;
}
