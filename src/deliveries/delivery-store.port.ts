import { EndpointRef, endpointKey } from '../common/endpoint-key';
import type { AttemptOutcome, DeliveryStatus } from './delivery.constants';

/** One outcome as the dispatcher reports it. Optional fields left out keep what is stored. */
export interface DeliveryOutcome {
  id: string;
  tenant_id: string;
  target: string;
  status: DeliveryStatus;
  http_status?: number | null;
  error?: string | null;
  event_type?: string | null;
  payload?: unknown;
  headers?: Record<string, string> | null;
  /** Defaults to the time of the request. Kept from the first report. */
  created_at?: Date;
  /** When this send happened; defaults to the time of the request. Identifies the attempt on a re-post. */
  attempted_at?: Date;
}

export interface UpsertResult {
  inserted: number;
  updated: number;
}

export interface DeliveryRecord {
  id: string;
  tenant_id: string;
  target: string;
  event_type: string | null;
  status: DeliveryStatus;
  http_status: number | null;
  error: string | null;
  triage_label: string | null;
  triage_score: number | null;
  attempts: number;
  payload: unknown;
  headers: Record<string, string> | null;
  meta: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  last_attempt_at: Date | null;
}

export interface AttemptRecord {
  id: string;
  attempted_at: Date;
  finished_at: Date | null;
  http_status: number | null;
  error: string | null;
  duration_ms: number | null;
  source: string;
  actor: string;
  outcome: AttemptOutcome;
  replay_key: string | null;
  cycle_id: string | null;
}

export interface DeliveryDetail extends DeliveryRecord {
  /** Newest first. */
  attempt_history: AttemptRecord[];
}

export interface DeliveryQuery {
  tenant_id?: string;
  /** Only these tenants (a caller's scope); empty means none. */
  tenant_ids?: readonly string[];
  target?: string;
  status?: DeliveryStatus;
  /** Inclusive, on created_at. */
  since?: Date;
  limit: number;
}

export interface RecentFailuresQuery {
  tenantId: string;
  endpoint: string;
  /** Inclusive, on created_at. */
  since: Date;
  limit: number;
}

/** A row of the guide's "Fetch Recent Deliveries for Incident", with what a replay needs. */
export type RecentFailure = Pick<
  DeliveryRecord,
  | 'id'
  | 'tenant_id'
  | 'target'
  | 'status'
  | 'triage_label'
  | 'triage_score'
  | 'error'
  | 'http_status'
  | 'attempts'
  | 'payload'
  | 'headers'
  | 'meta'
  | 'created_at'
>;

/** The guide's "recent deliveries for incident" columns: what choosing and capping a replay needs. */
export type FailureSummary = Pick<RecentFailure, 'id' | 'tenant_id' | 'target' | 'status' | 'triage_label' | 'triage_score' | 'created_at'>;

/** The deliveries ledger: what the dispatcher reported, triaged (M1), with every send recorded. */
export abstract class DeliveryStore {
  /**
   * Inserts or updates a batch atomically. Each non-pending outcome is also one dispatcher attempt,
   * identified by (id, attempted_at), so re-posting the same outcome changes nothing twice.
   * Throws a 400 DomainError when an id appears twice, a 409 when an id exists for another tenant.
   */
  abstract upsertBatch(items: DeliveryOutcome[], actor: string): Promise<UpsertResult>;

  /** With its attempts, newest first; null when there is no such delivery. */
  abstract findById(id: string): Promise<DeliveryDetail | null>;

  /** Newest (created_at) first. */
  abstract list(query: DeliveryQuery): Promise<DeliveryRecord[]>;

  /**
   * `failed` and `dead_letter` deliveries of one tenant+endpoint since a time, newest first, that a
   * replay could claim: a delivery whose replay claim on its current attempt is pending or abandoned
   * is left out, so a dry run lists exactly what a live run could claim.
   */
  abstract recentFailures(query: RecentFailuresQuery): Promise<RecentFailure[]>;

  /**
   * `recentFailures` for many endpoints, keyed by `endpointKey`, the same deliveries without payloads
   * (a replay reads its payload when it claims the delivery). A cycle asks for all its incidents at
   * once; adapters that can (SQL) answer in one round trip instead of one per incident.
   */
  async recentFailuresByEndpoint(refs: EndpointRef[], since: Date, limitPerEndpoint: number): Promise<Map<string, FailureSummary[]>> {
    const result = new Map<string, FailureSummary[]>();
    for (const { tenantId, endpoint } of refs) {
      result.set(endpointKey(tenantId, endpoint), await this.recentFailures({ tenantId, endpoint, since, limit: limitPerEndpoint }));
    }
    return result;
  }
}
