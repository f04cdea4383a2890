import type { Incident } from '../anomalies/incident';
import type { Escalation, EscalationPriority, EscalationStatus } from './escalation';

export interface OpenEscalation {
  incident: Incident;
  priority: EscalationPriority;
  reason: string;
  now: Date;
}

export interface EscalationQuery {
  status?: EscalationStatus;
  /** Only these tenants (a caller's scope); empty means none. */
  tenantIds?: readonly string[];
  limit: number;
}

/** `escalations`: at most one unresolved per tenant+endpoint. An id that names no row finds nothing. */
export abstract class EscalationStore {
  /**
   * Opens an escalation, or bumps the unresolved one for the same tenant+endpoint (one more
   * occurrence, the latest incident and last-seen time, the higher of the two priorities), even
   * when callers race.
   */
  abstract open(input: OpenEscalation): Promise<{ escalation: Escalation; created: boolean }>;

  /** open → acknowledged; null when it is not open (or does not exist). */
  abstract acknowledgeIfOpen(id: string, by: string, now: Date): Promise<Escalation | null>;

  /** open or acknowledged → resolved; null when it is already resolved (or does not exist). */
  abstract resolveIfUnresolved(id: string, by: string, now: Date): Promise<Escalation | null>;

  /** Newest first. */
  abstract list(query: EscalationQuery): Promise<Escalation[]>;

  abstract findById(id: string): Promise<Escalation | null>;

  /** The open or acknowledged escalation of a tenant+endpoint, if any. */
  abstract findUnresolved(tenantId: string, endpoint: string): Promise<Escalation | null>;

  abstract markNotified(id: string, now: Date): Promise<Escalation | null>;
}
