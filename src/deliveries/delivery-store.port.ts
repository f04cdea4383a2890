import { EndpointRef, endpointKey } from '../common/endpoint-key';
import type { AttemptOutcome, DeliveryStatus } from './delivery.constants';

/** Optional fields left out keep what is stored. */
export interface DeliveryOutcome {
  id: string;
  tenant_id: string;
  target: string;
  status: DeliveryStatus;
  http_status?: number | null;
  error?: string | null;
  event_type?: string | null;
  payload?: unknown;
  /**
   * The bytes as sent, with their content type. Given (or a payload given), body, content type and payload replace
   * the stored ones together, so a replay never mixes two reports' content.
   */
  body?: string | null;
  content_type?: string | null;
  headers?: Record<string, string> | null;
  /** Defaults to the time of the request. Kept from the first report. */
  created_at?: Date;
  /** Defaults to the time of the request. Identifies the attempt on a re-post. */
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
  /** Null: a replay sends the payload as JSON. */
  body: string | null;
  content_type: string | null;
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
  /** A caller's scope; empty means none. */
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

/** The guide's "Fetch Recent Deliveries for Incident", with what a replay needs: each store returns these, in this order. */
export const RECENT_FAILURE_FIELDS = [
  'id',
  'tenant_id',
  'target',
  'status',
  'triage_label',
  'triage_score',
  'error',
  'http_status',
  'attempts',
  'payload',
  'headers',
  'meta',
  'created_at',
] as const satisfies readonly (keyof DeliveryRecord)[];
export type RecentFailure = Pick<DeliveryRecord, (typeof RECENT_FAILURE_FIELDS)[number]>;

export interface OutageStartQuery extends EndpointRef {
  /** Inclusive, on created_at. */
  notBefore: Date;
}

export type FailureSummary = Pick<RecentFailure, 'id' | 'tenant_id' | 'target' | 'status' | 'triage_label' | 'triage_score' | 'created_at'>;

/** `endpointActivity`: attempts in [since, until) of the tenants given (all when left out), in buckets of `bucketSeconds`. */
export interface ActivityQuery {
  since: Date;
  until: Date;
  bucketSeconds: number;
  tenantIds?: string[];
}

/**
 * One tenant+endpoint's attempts in one bucket (`bucket` counts from `since`): `failures` are failed attempts of any
 * source (a dispatcher's report, a failed probe or drain send), `heals` the auto-heal sends (probes, drains,
 * replays, operator re-sends) that got a 2xx. Buckets with neither are left out.
 */
export interface ActivityCount {
  tenant_id: string;
  endpoint: string;
  bucket: number;
  failures: number;
  heals: number;
}

export abstract class DeliveryStore {
  /**
   * Atomic. Each non-pending outcome is also one dispatcher attempt, identified by (id, attempted_at), so
   * re-posting the same outcome changes nothing twice. 400 for an id twice, 409 for another tenant's id.
   */
  abstract upsertBatch(items: DeliveryOutcome[], actor: string): Promise<UpsertResult>;

  /** Attempts newest first. */
  abstract findById(id: string): Promise<DeliveryDetail | null>;

  /** Newest (created_at) first. */
  abstract list(query: DeliveryQuery): Promise<DeliveryRecord[]>;

  /**
   * Newest first, only what a replay could claim: a pending or abandoned claim on the current attempt leaves a
   * delivery out, so a dry run lists exactly what a live run could claim.
   */
  abstract recentFailures(query: RecentFailuresQuery): Promise<RecentFailure[]>;

  /** Tenant+endpoints with any delivery created since `since`: what a storm's share is measured against. */
  abstract activeEndpoints(since: Date): Promise<number>;

  /** Failures against heals per tenant+endpoint over time (the dashboard's chart), sorted by tenant, endpoint, bucket. */
  abstract endpointActivity(query: ActivityQuery): Promise<ActivityCount[]>;
  /**
   * Where each endpoint's current outage began: its oldest failed or dead-lettered delivery created after
   * its newest delivered one (created_at), never before its `notBefore` (max_backlog_age_hours), by
   * endpointKey. An endpoint without such a failure is left out. SQL answers all endpoints in one round trip.
   */
  abstract outageStarts(refs: readonly OutageStartQuery[]): Promise<Map<string, Date>>;

  /** Without payloads (a replay reads its payload when it claims); SQL answers all endpoints in one round trip. */
  async recentFailuresByEndpoint(refs: EndpointRef[], since: Date, limitPerEndpoint: number): Promise<Map<string, FailureSummary[]>> {
    const result = new Map<string, FailureSummary[]>();
    for (const { tenantId, endpoint } of refs) {
      result.set(endpointKey(tenantId, endpoint), await this.recentFailures({ tenantId, endpoint, since, limit: limitPerEndpoint }));
    }
    return result;
  }
}
