import { EndpointRef, endpointKey } from '../common/endpoint-key';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock';
import { replayKeySql } from '../replay/replay-key';
import { classifyFailure } from '../triage/triage';
import { assertDistinctIds, TenantMismatchError } from './delivery-batch';
import { givesContent } from './delivery-body';
import {
  ActivityCount,
  ActivityQuery,
  AttemptRecord,
  DeliveryDetail,
  DeliveryOutcome,
  DeliveryQuery,
  DeliveryRecord,
  DeliveryStore,
  FailureSummary,
  OutageStartQuery,
  RECENT_FAILURE_FIELDS,
  RecentFailure,
  RecentFailuresQuery,
  UpsertResult,
} from './delivery-store.port';

const DELIVERY_COLUMNS = `id, tenant_id, target, event_type, status, http_status, error, triage_label, triage_score,
  attempts, payload, body, content_type, headers, meta, created_at, updated_at, last_attempt_at`;

const ATTEMPT_COLUMNS = `id, attempted_at, finished_at, http_status, error, duration_ms, source, actor, outcome, replay_key, cycle_id`;

const RECENT_FAILURE_COLUMNS = RECENT_FAILURE_FIELDS.join(', ');

const FAILURE_SUMMARY_COLUMNS = `id, tenant_id, target, status, triage_label, triage_score, created_at`;

// One statement for the single and the batched read, so every read path lists exactly what a live run could
// claim. A replay claim on the current attempt counter, pending or abandoned, blocks the delivery.
const claimableFailures = (columns: string) => `
  SELECT f.*
  FROM unnest($1::text[], $2::text[]) AS k(tenant_id, target)
  CROSS JOIN LATERAL (
    SELECT ${columns}
    FROM deliveries
    WHERE tenant_id = k.tenant_id
      AND target = k.target
      AND created_at >= $3
      AND status IN ('failed', 'dead_letter')
      AND NOT EXISTS (SELECT 1 FROM delivery_attempts a WHERE a.replay_key = ${replayKeySql('deliveries.id', 'deliveries.attempts')})
    ORDER BY created_at DESC, id DESC
    LIMIT $4
  ) f
  ORDER BY f.created_at DESC, f.id DESC`;
const RECENT_FAILURES = claimableFailures(RECENT_FAILURE_COLUMNS);
const RECENT_FAILURE_SUMMARIES = claimableFailures(FAILURE_SUMMARY_COLUMNS);

// A late or out-of-order report, or one older than an auto-heal replay, must not overwrite the delivery nor
// what a replay would send; its attempt is still counted below.
// idx_deliveries_created_at bounds the scan to the window.
const ACTIVE_ENDPOINTS = `SELECT count(*)::int AS n FROM (SELECT DISTINCT tenant_id, target FROM deliveries WHERE created_at >= $1) e`;

// idx_delivery_attempts_source_at bounds the attempts to the window (both sources listed so the index applies);
// each joins its delivery by primary key.
const ENDPOINT_ACTIVITY = `
  SELECT d.tenant_id, d.target AS endpoint,
         floor(extract(epoch FROM (a.attempted_at - $1::timestamptz)) / $3)::int AS bucket,
         count(*) FILTER (WHERE a.outcome = 'failed')::int AS failures,
         count(*) FILTER (WHERE a.outcome = 'succeeded' AND a.source <> 'dispatcher')::int AS heals
  FROM delivery_attempts a
  JOIN deliveries d ON d.id = a.delivery_id
  WHERE a.source IN ('dispatcher', 'autoheal')
    AND a.attempted_at >= $1 AND a.attempted_at < $2
    AND ($4::text[] IS NULL OR d.tenant_id = ANY($4::text[]))
  GROUP BY 1, 2, 3
  HAVING count(*) FILTER (WHERE a.outcome = 'failed' OR (a.outcome = 'succeeded' AND a.source <> 'dispatcher')) > 0
  ORDER BY 1, 2, 3`;
// Two index scans per endpoint: idx_deliveries_endpoint_created backwards to the newest delivered, then
// idx_deliveries_failures_by_endpoint to the oldest failure after it.
const OUTAGE_STARTS = `
  SELECT k.tenant_id, k.target, f.created_at AS first_failure_at
  FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS k(tenant_id, target, not_before)
  CROSS JOIN LATERAL (
    SELECT COALESCE(
      (SELECT s.created_at FROM deliveries s
       WHERE s.tenant_id = k.tenant_id AND s.target = k.target AND s.status = 'delivered' AND s.created_at >= k.not_before
       ORDER BY s.created_at DESC
       LIMIT 1),
      '-infinity'::timestamptz) AS at
  ) ok
  CROSS JOIN LATERAL (
    SELECT d.created_at FROM deliveries d
    WHERE d.tenant_id = k.tenant_id AND d.target = k.target AND d.status IN ('failed', 'dead_letter')
      AND d.created_at >= k.not_before AND d.created_at > ok.at
    ORDER BY d.created_at ASC
    LIMIT 1
  ) f`;

const STALE_REPORT =
  `(d.last_attempt_at IS NOT NULL AND (EXCLUDED.last_attempt_at ` + `IS NULL OR EXCLUDED.last_attempt_at < d.last_attempt_at))`;
const unlessStale = (column: string) => `${column} = CASE WHEN ${STALE_REPORT} THEN d.${column} ELSE EXCLUDED.${column} END`;
/** NULL keeps the stored value. */
const givenUnlessStale = (column: string) =>
  `${column} = CASE WHEN ${STALE_REPORT} THEN d.${column} ELSE COALESCE(EXCLUDED.${column}, d.${column}) END`;
/** Body and content type go with the payload: a report that gives content (its boxed payload) replaces all three. */
const withPayloadUnlessStale = (column: string) =>
  `${column} = CASE WHEN ${STALE_REPORT} OR EXCLUDED.payload IS NULL THEN d.${column} ELSE EXCLUDED.${column} END`;

// `payload` is boxed as {"v": ...} so an explicit JSON null is stored while an absent payload keeps the old one.
// A re-posted attempt hits uq_delivery_attempts_dispatcher and is skipped, so counting what `recorded` returns
// is exact even when two requests race (the second waits on the index). A new delivery's attempt FK is checked
// at the end of the statement. The WHERE on DO UPDATE leaves another tenant's row untouched (missing from RETURNING).
const UPSERT_BATCH = `
  WITH i AS MATERIALIZED (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(
      id text, tenant_id text, target text, event_type text, status text, http_status int, error text,
      triage_label text, triage_score real, payload jsonb, body text, content_type text, headers jsonb,
      created_at timestamptz, attempted_at timestamptz)
  ), recorded AS (
    INSERT INTO delivery_attempts (delivery_id, attempted_at, http_status, error, source, actor, outcome)
    SELECT i.id, i.attempted_at, i.http_status, i.error, 'dispatcher', $3,
           CASE WHEN i.status = 'delivered' THEN 'succeeded' ELSE 'failed' END
    FROM i
    WHERE i.attempted_at IS NOT NULL
    ON CONFLICT (delivery_id, attempted_at) WHERE source = 'dispatcher' DO NOTHING
    RETURNING delivery_id
  )
  INSERT INTO deliveries AS d
    (id, tenant_id, target, event_type, status, http_status, error, triage_label, triage_score,
     attempts, payload, body, content_type, headers, created_at, updated_at, last_attempt_at)
  SELECT i.id, i.tenant_id, i.target, i.event_type, i.status, i.http_status, i.error, i.triage_label, i.triage_score,
         (r.delivery_id IS NOT NULL)::int, i.payload -> 'v', i.body, i.content_type, i.headers, COALESCE(i.created_at, $2), $2,
         i.attempted_at
  FROM i LEFT JOIN recorded r ON r.delivery_id = i.id
  ON CONFLICT (id) DO UPDATE SET
    ${unlessStale('status')},
    ${unlessStale('http_status')},
    ${unlessStale('error')},
    ${unlessStale('triage_label')},
    ${unlessStale('triage_score')},
    ${givenUnlessStale('event_type')},
    ${withPayloadUnlessStale('body')},
    ${withPayloadUnlessStale('content_type')},
    ${givenUnlessStale('payload')},
    ${givenUnlessStale('headers')},
    attempts     = d.attempts + EXCLUDED.attempts,
    updated_at   = EXCLUDED.updated_at,
    last_attempt_at = GREATEST(d.last_attempt_at, EXCLUDED.last_attempt_at)
  WHERE d.tenant_id = EXCLUDED.tenant_id
  RETURNING d.id, (d.xmax = 0) AS inserted`;

export class SqlDeliveryStore extends DeliveryStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    super();
  }

  async upsertBatch(items: DeliveryOutcome[], actor: string): Promise<UpsertResult> {
    if (items.length === 0) return { inserted: 0, updated: 0 };
    assertDistinctIds(items);
    const now = this.clock.now();
    const rows = items.map((item) => {
      const triage = classifyFailure(item);
      return {
        id: item.id,
        tenant_id: item.tenant_id,
        target: item.target,
        event_type: item.event_type ?? null,
        status: item.status,
        http_status: item.http_status ?? null,
        error: item.error ?? null,
        triage_label: triage?.label ?? null,
        triage_score: triage?.score ?? null,
        payload: givesContent(item) ? { v: item.payload ?? null } : null,
        body: givesContent(item) ? (item.body ?? null) : null,
        content_type: givesContent(item) ? (item.content_type ?? null) : null,
        headers: item.headers ?? null,
        created_at: item.created_at?.toISOString() ?? null,
        attempted_at: item.status === 'pending' ? null : (item.attempted_at ?? now).toISOString(),
      };
    });
    return this.dataSource.transaction(async (manager) => {
      const upserted: Array<{ id: string; inserted: boolean }> = await manager.query(UPSERT_BATCH, [JSON.stringify(rows), now, actor]);
      // Throwing here rolls back the rows this statement already wrote.
      if (upserted.length < items.length) throw tenantMismatch(items, upserted);
      const inserted = upserted.filter((row) => row.inserted).length;
      return { inserted, updated: upserted.length - inserted };
    });
  }

  async findById(id: string): Promise<DeliveryDetail | null> {
    const [delivery] = (await this.dataSource.query(`SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE id = $1`, [id])) as DeliveryRecord[];
    if (!delivery) return null;
    const attempts = (await this.dataSource.query(
      `SELECT ${ATTEMPT_COLUMNS} FROM delivery_attempts WHERE delivery_id = $1 ORDER BY attempted_at DESC, id DESC`,
      [id],
    )) as AttemptRecord[];
    return { ...delivery, attempt_history: attempts };
  }

  async list(query: DeliveryQuery): Promise<DeliveryRecord[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const where = (column: string, operator: string, value: unknown) => {
      params.push(value);
      conditions.push(`${column} ${operator} $${params.length}`);
    };
    if (query.tenant_id !== undefined) where('tenant_id', '=', query.tenant_id);
    if (query.tenant_ids !== undefined) {
      params.push([...query.tenant_ids]);
      conditions.push(`tenant_id = ANY($${params.length}::text[])`);
    }
    if (query.target !== undefined) where('target', '=', query.target);
    if (query.status !== undefined) where('status', '=', query.status);
    if (query.since !== undefined) where('created_at', '>=', query.since);
    params.push(query.limit);
    const sql = `SELECT ${DELIVERY_COLUMNS} FROM deliveries
      ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC
      LIMIT $${params.length}`;
    return (await this.dataSource.query(sql, params)) as DeliveryRecord[];
  }

  async recentFailures(query: RecentFailuresQuery): Promise<RecentFailure[]> {
    return this.dataSource.query(RECENT_FAILURES, [[query.tenantId], [query.endpoint], query.since, query.limit]);
  }

  async activeEndpoints(since: Date): Promise<number> {
    const [row] = (await this.dataSource.query(ACTIVE_ENDPOINTS, [since])) as { n: number }[];
    return row?.n ?? 0;
  }

  async endpointActivity(query: ActivityQuery): Promise<ActivityCount[]> {
    return this.dataSource.query(ENDPOINT_ACTIVITY, [query.since, query.until, query.bucketSeconds, query.tenantIds ?? null]);
  }

  async outageStarts(refs: readonly OutageStartQuery[]): Promise<Map<string, Date>> {
    const result = new Map<string, Date>();
    if (refs.length === 0) return result;
    const params = [refs.map((r) => r.tenantId), refs.map((r) => r.endpoint), refs.map((r) => r.notBefore.toISOString())];
    const rows = (await this.dataSource.query(OUTAGE_STARTS, params)) as Array<{
      tenant_id: string;
      target: string;
      first_failure_at: Date;
    }>;
    for (const row of rows) result.set(endpointKey(row.tenant_id, row.target), new Date(row.first_failure_at));
    return result;
  }

  /** A LATERAL index scan (idx_deliveries_failures_by_endpoint) per endpoint. */
  override async recentFailuresByEndpoint(
    refs: EndpointRef[],
    since: Date,
    limitPerEndpoint: number,
  ): Promise<Map<string, FailureSummary[]>> {
    const result = new Map<string, FailureSummary[]>(refs.map((r) => [endpointKey(r.tenantId, r.endpoint), []]));
    if (refs.length === 0) return result;
    const rows: FailureSummary[] = await this.dataSource.query(RECENT_FAILURE_SUMMARIES, [
      refs.map((r) => r.tenantId),
      refs.map((r) => r.endpoint),
      since,
      limitPerEndpoint,
    ]);
    for (const row of rows) result.get(endpointKey(row.tenant_id, row.target))?.push(row);
    return result;
  }
}

function tenantMismatch(items: DeliveryOutcome[], upserted: Array<{ id: string }>): TenantMismatchError {
  const written = new Set(upserted.map((row) => row.id));
  const index = items.findIndex((item) => !written.has(item.id));
  return new TenantMismatchError(index, items[index].id);
}
