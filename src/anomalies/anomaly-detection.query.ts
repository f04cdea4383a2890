import type { EndpointRef } from '../common/endpoint-key';
import { FAILED_STATUSES } from '../deliveries/delivery.constants';
import type { DetectionRules } from '../rules/rules.types';

import type { SqlQuery } from '../common/sql-query';
import type { IncidentKind } from './incident';

export type { SqlQuery };

/** The windows of one detection run, all derived from the caller's `now` (never SQL now()). */
export interface DetectionWindows {
  /** Start of the baseline: now − max(baseline, recent) minutes. */
  since: Date;
  /** Start of the recent window: now − recent minutes. */
  recentSince: Date;
  now: Date;
  recentMinutes: number;
  /** The baseline is the part of the baseline window *before* the recent window: [since, recentSince). */
  baselineMinutes: number;
}

export function detectionWindows(now: Date, rules: DetectionRules): DetectionWindows {
  const recentMinutes = rules.recent_window_minutes;
  const windowMinutes = Math.max(rules.baseline_window_minutes, recentMinutes);
  return {
    since: new Date(now.getTime() - windowMinutes * 60_000),
    recentSince: new Date(now.getTime() - recentMinutes * 60_000),
    now,
    recentMinutes,
    baselineMinutes: windowMinutes - recentMinutes,
  };
}

const FAILED = FAILED_STATUSES.map((s) => `'${s}'`).join(', ');

/** A failure without a triage label counts as `unknown` in the distribution. */
export const UNLABELLED = 'unknown';

/** One row per tenant+endpoint that is an incident; counts only, the adapter derives rates and severity. */
export interface DetectionRow {
  tenant_id: string;
  target: string;
  kind: IncidentKind;
  total_recent: number;
  failures: number;
  total_baseline: number;
  failures_baseline: number;
  /** Minutes of the baseline the endpoint had traffic in (see MEASURED); 0 without baseline traffic. */
  baseline_minutes: number;
  triage_distribution: Record<string, number>;
}

/** Both statements take the same parameters, $1 … $12 (endpoint lists follow). */
function detectionValues(now: Date, rules: DetectionRules): unknown[] {
  const w = detectionWindows(now, rules);
  return [
    w.since.toISOString(),
    w.recentSince.toISOString(),
    w.now.toISOString(),
    rules.min_failures,
    rules.min_failure_rate,
    rules.baseline_multiplier,
    rules.traffic_spike_min_deliveries,
    rules.traffic_spike_ratio,
    w.baselineMinutes,
    w.recentMinutes,
    rules.sustained_last_attempts,
    rules.sustained_failure_ratio,
  ];
}

const COUNTS = {
  total_recent: `count(*) FILTER (WHERE d.created_at >= $2::timestamptz)`,
  failures: `count(*) FILTER (WHERE d.created_at >= $2::timestamptz AND d.status IN (${FAILED}))`,
  total_baseline: `count(*) FILTER (WHERE d.created_at < $2::timestamptz)`,
  failures_baseline: `count(*) FILTER (WHERE d.created_at < $2::timestamptz AND d.status IN (${FAILED}))`,
};
const TIMES = {
  first_baseline_at: ['min', `min(d.created_at) FILTER (WHERE d.created_at < $2::timestamptz)`],
  last_ok_at: ['max', `max(d.created_at) FILTER (WHERE d.status = 'delivered')`],
  last_failure_at: ['max', `max(d.created_at) FILTER (WHERE d.status IN (${FAILED}))`],
} as const;

const AGGREGATES = [
  ...Object.entries(COUNTS).map(([name, expr]) => `${expr} AS ${name}`),
  ...Object.entries(TIMES).map(([name, [, expr]]) => `${expr} AS ${name}`),
].join(',\n             ');

/**
 * From per-endpoint counts (a relation `per_endpoint`) to the incident kind. The baseline rate is
 * taken over the time the endpoint had traffic, counted in whole recent windows back from the
 * baseline's end to its first attempt: a baseline that began late is not diluted by its empty part,
 * and one attempt just before the recent window is not a rate over a few seconds. Rates are compared
 * by cross-multiplication in numeric: exact, and no division by an empty baseline — an empty baseline
 * has failure rate 0 and passes the traffic ratio test (recent traffic against none), so a spike then
 * depends on traffic_spike_min_deliveries alone.
 *
 * A sustained outage is recognised whatever the baseline (a baseline of failures hides a burst):
 * ≥ sustained_failure_ratio of the recent window failed with ≥ min_failures failures, or the last
 * sustained_last_attempts attempts in the window all failed — counted as failures after the last
 * delivered attempt, so a delivery at the same instant as the failures breaks the run. That count
 * is an index probe of at most N rows, made only for endpoints still unclassified whose latest
 * attempt failed.
 */
const CLASSIFY = `
    measured AS (
      SELECT p.*,
             CASE WHEN p.first_baseline_at IS NULL THEN 0::numeric
                  ELSE least($9::numeric, ceil(extract(epoch FROM $2::timestamptz - p.first_baseline_at) / ($10::numeric * 60)) * $10::numeric)
             END AS baseline_minutes,
             (p.failures >= $4::int
              AND p.failures >= $5::numeric * p.total_recent
              AND p.failures::numeric * p.total_baseline >= $6::numeric * p.failures_baseline * p.total_recent) AS is_burst,
             (p.failures >= $4::int AND p.failures >= $12::numeric * p.total_recent) AS is_mostly_failing
        FROM per_endpoint p
       WHERE p.total_recent > 0
    ),
    classified AS (
      SELECT m.*,
             CASE
               WHEN m.is_burst THEN 'failure_burst'
               WHEN m.is_mostly_failing OR run.failures >= $11::int THEN 'sustained_outage'
               WHEN m.total_recent >= $7::int
                AND m.total_recent::numeric * m.baseline_minutes >= $8::numeric * m.total_baseline * $10::numeric
                 THEN 'traffic_spike'
             END AS kind
        FROM measured m
        CROSS JOIN LATERAL (
          SELECT count(*)::int AS failures
            FROM (
              SELECT 1
                FROM deliveries s
               WHERE NOT m.is_burst AND NOT m.is_mostly_failing
                 AND m.failures > 0 AND m.failures + m.failures_baseline >= $11::int
                 AND (m.last_ok_at IS NULL OR m.last_failure_at > m.last_ok_at)
                 AND s.tenant_id = m.tenant_id AND s.target = m.target
                 AND s.status IN (${FAILED})
                 AND s.created_at >= $1::timestamptz AND s.created_at <= $3::timestamptz
                 AND (m.last_ok_at IS NULL OR s.created_at > m.last_ok_at)
               LIMIT $11::int
            ) last_failures
        ) run
    )`;

const ROW_COLUMNS = `tenant_id, target, kind, total_recent, failures, total_baseline, failures_baseline,
           baseline_minutes::float8 AS baseline_minutes`;

/**
 * The whole of M3 in one statement. It reads only `created_at` in [now − window, now] and only
 * columns of idx_deliveries_created_at (key + INCLUDE), so it is an index-only range scan whatever
 * the table's size; see CLASSIFY for the rules. Exported so a benchmark can run (and EXPLAIN)
 * exactly what the adapter runs.
 */
export function buildDetectionQuery(now: Date, rules: DetectionRules): SqlQuery {
  const text = `
    WITH per_label AS (
      SELECT d.tenant_id, d.target, COALESCE(d.triage_label, '${UNLABELLED}') AS triage_label,
             ${AGGREGATES}
        FROM deliveries d
       WHERE d.created_at >= $1::timestamptz AND d.created_at <= $3::timestamptz
       GROUP BY d.tenant_id, d.target, COALESCE(d.triage_label, '${UNLABELLED}')
    ),
    per_endpoint AS (
      SELECT tenant_id, target,
             ${Object.keys(COUNTS).map((name) => `sum(${name})::int AS ${name}`).join(', ')},
             ${Object.entries(TIMES).map(([name, [agg]]) => `${agg}(${name}) AS ${name}`).join(', ')},
             COALESCE(jsonb_object_agg(triage_label, failures) FILTER (WHERE failures > 0), '{}'::jsonb) AS triage_distribution
        FROM per_label
       GROUP BY tenant_id, target
    ),${CLASSIFY}
    SELECT ${ROW_COLUMNS}, triage_distribution
      FROM classified
     WHERE kind IS NOT NULL`;
  return { text, values: detectionValues(now, rules) };
}

/** What an outage signal is: the kinds a burst of reported failures opens an incident for. */
export const OUTAGE_KINDS = ['failure_burst', 'sustained_outage'] as const satisfies readonly IncidentKind[];

/**
 * The same classification for just the given endpoints (what one ingest batch touched): each
 * endpoint's window is a range of idx_deliveries_endpoint_created, read from the index alone.
 * Returns only the endpoints that are an outage now, without their triage distribution (see
 * buildRecentTriageQuery), so the common answer — no outage — costs one small range per endpoint.
 */
export function buildOutageSignalQuery(endpoints: readonly EndpointRef[], now: Date, rules: DetectionRules): SqlQuery {
  const text = `
    WITH per_endpoint AS (
      SELECT e.tenant_id, e.target, c.*
        FROM (SELECT DISTINCT * FROM unnest($13::text[], $14::text[]) AS u(tenant_id, target)) e
        CROSS JOIN LATERAL (
          SELECT ${[
            ...Object.entries(COUNTS).map(([name, expr]) => `${expr}::int AS ${name}`),
            ...Object.entries(TIMES).map(([name, [, expr]]) => `${expr} AS ${name}`),
          ].join(',\n                 ')}
            FROM deliveries d
           WHERE d.tenant_id = e.tenant_id AND d.target = e.target
             AND d.created_at >= $1::timestamptz AND d.created_at <= $3::timestamptz
        ) c
    ),${CLASSIFY}
    SELECT ${ROW_COLUMNS}
      FROM classified
     WHERE kind IN (${OUTAGE_KINDS.map((kind) => `'${kind}'`).join(', ')})`;
  return {
    text,
    values: [...detectionValues(now, rules), endpoints.map((e) => e.tenantId), endpoints.map((e) => e.endpoint)],
  };
}

/** Triage label → count over each endpoint's failures in the recent window (idx_deliveries_failures_by_endpoint). */
export function buildRecentTriageQuery(
  endpoints: ReadonlyArray<{ tenant_id: string; target: string }>,
  now: Date,
  rules: DetectionRules,
): SqlQuery {
  const w = detectionWindows(now, rules);
  const text = `
    SELECT e.tenant_id, e.target, COALESCE(jsonb_object_agg(t.triage_label, t.n), '{}'::jsonb) AS triage_distribution
      FROM unnest($1::text[], $2::text[]) AS e(tenant_id, target)
      CROSS JOIN LATERAL (
        SELECT COALESCE(d.triage_label, '${UNLABELLED}') AS triage_label, count(*)::int AS n
          FROM deliveries d
         WHERE d.tenant_id = e.tenant_id AND d.target = e.target
           AND d.status IN (${FAILED})
           AND d.created_at >= $3::timestamptz AND d.created_at <= $4::timestamptz
         GROUP BY 1
      ) t
     GROUP BY e.tenant_id, e.target`;
  return {
    text,
    values: [endpoints.map((e) => e.tenant_id), endpoints.map((e) => e.target), w.recentSince.toISOString(), w.now.toISOString()],
  };
}

/**
 * The small follow-up, only for incidents with failures: each one's most frequent error in the
 * recent window (its error text, else `HTTP <status>`; ties: the most recent, then alphabetical).
 * `error` is not in the covering index;
 * idx_deliveries_failures_by_endpoint finds just these rows.
 */
export function buildMostCommonErrorQuery(
  endpoints: Array<{ tenant_id: string; target: string }>,
  now: Date,
  rules: DetectionRules,
): SqlQuery {
  const w = detectionWindows(now, rules);
  const text = `
    SELECT e.tenant_id, e.target, top.error
      FROM unnest($1::text[], $2::text[]) AS e(tenant_id, target)
      CROSS JOIN LATERAL (
        SELECT COALESCE(d.error, 'HTTP ' || d.http_status) AS error
          FROM deliveries d
         WHERE d.tenant_id = e.tenant_id AND d.target = e.target
           AND d.status IN (${FAILED})
           AND d.created_at >= $3::timestamptz AND d.created_at <= $4::timestamptz
           AND (d.error IS NOT NULL OR d.http_status IS NOT NULL)
         GROUP BY 1
         ORDER BY count(*) DESC, max(d.created_at) DESC, 1
         LIMIT 1
      ) top`;
  return {
    text,
    values: [
      endpoints.map((e) => e.tenant_id),
      endpoints.map((e) => e.target),
      w.recentSince.toISOString(),
      w.now.toISOString(),
    ],
  };
}
