import type { EndpointRef } from '../common/endpoint-key';
import { FAILED_STATUSES } from '../deliveries/delivery.constants';
import type { DetectionRules } from '../rules/rules.types';

import type { SqlQuery } from '../common/sql-query';
import type { IncidentKind } from './incident';

export type { SqlQuery };

/** All derived from the caller's `now`, never SQL now(). */
export interface DetectionWindows {
  /** now − max(baseline, recent) minutes. */
  since: Date;
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

export const UNLABELLED = 'unknown';

/** Counts only; the adapter derives rates and severity. */
export interface DetectionRow {
  tenant_id: string;
  target: string;
  kind: IncidentKind;
  total_recent: number;
  failures: number;
  total_baseline: number;
  failures_baseline: number;
  /** Minutes of the baseline the endpoint had traffic in (see CLASSIFY); 0 without baseline traffic. */
  baseline_minutes: number;
  triage_distribution: Record<string, number>;
  /** The endpoint's tenant over every endpoint of it, and all failures in the recent window (detection query only). */
  tenant_failures?: number;
  all_failures?: number;
  tenant_recent?: number;
  tenant_baseline?: number;
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
const AGGREGATES = Object.entries(COUNTS)
  .map(([name, expr]) => `${expr} AS ${name}`)
  .join(',\n             ');

/** The endpoint's attempts in the window (idx_deliveries_endpoint_created), for the probes below. */
const ENDPOINT_WINDOW = (alias: string) => `${alias}.tenant_id = m.tenant_id AND ${alias}.target = m.target
                 AND ${alias}.created_at >= $1::timestamptz AND ${alias}.created_at <= $3::timestamptz`;

const BASELINE_MINUTES = `
      CASE WHEN m.total_baseline = 0 THEN 0::numeric
           ELSE least($9::numeric, ceil(extract(epoch FROM $2::timestamptz - (
                  SELECT min(f.created_at) FROM deliveries f WHERE ${ENDPOINT_WINDOW('f')}
                )) / ($10::numeric * 60)) * $10::numeric)
      END`;

const LAST_ATTEMPTS_FAILED = `
      (SELECT count(*)
         FROM (SELECT 1
                 FROM deliveries s
                WHERE ${ENDPOINT_WINDOW('s')}
                  AND s.status IN (${FAILED})
                  AND s.created_at > COALESCE(
                        (SELECT max(o.created_at) FROM deliveries o WHERE ${ENDPOINT_WINDOW('o')} AND o.status = 'delivered'),
                        '-infinity')
                LIMIT $11::int) last_failures) >= $11::int`;

/**
 * The baseline rate is taken over the whole recent windows in which the endpoint had traffic, so a late
 * baseline is not diluted and one attempt just before the recent window is not a rate over seconds. The
 * first-attempt and last-N probes run only for candidates, so the window scan stays four counts. Rates are
 * compared by cross-multiplication: exact, and no division by an empty baseline (which then leaves a spike
 * to traffic_spike_min_deliveries alone). A sustained outage ignores the baseline, since a baseline of
 * failures would hide a burst.
 */
const CLASSIFY = `
    measured AS (
      SELECT p.*,
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
               WHEN m.is_mostly_failing THEN 'sustained_outage'
               -- Nested CASE, not AND: the probes run only for the few endpoints that pass the cheap tests.
               WHEN CASE WHEN m.failures > 0 AND m.failures + m.failures_baseline >= $11::int THEN ${LAST_ATTEMPTS_FAILED} ELSE false END
                 THEN 'sustained_outage'
               WHEN CASE
                      WHEN m.total_recent >= $7::int
                        THEN m.total_recent::numeric * ${BASELINE_MINUTES} >= $8::numeric * m.total_baseline * $10::numeric
                      ELSE false
                    END
                 THEN 'traffic_spike'
             END AS kind
        FROM measured m
    ),
    reported AS (
      SELECT m.*, ${BASELINE_MINUTES} AS baseline_minutes
        FROM classified m
       WHERE m.kind IS NOT NULL
    )`;

const ROW_COLUMNS = `tenant_id, target, kind, total_recent, failures, total_baseline, failures_baseline,
           baseline_minutes::float8 AS baseline_minutes`;

/**
 * Reads only index columns of idx_deliveries_created_at in [now − window, now], so it is an index-only
 * range scan whatever the table's size. Exported so a benchmark can EXPLAIN exactly what the adapter runs.
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
             ${Object.keys(COUNTS)
               .map((name) => `sum(${name})::int AS ${name}`)
               .join(', ')},
             COALESCE(jsonb_object_agg(triage_label, failures) FILTER (WHERE failures > 0), '{}'::jsonb) AS triage_distribution,
             -- Per tenant and platform-wide, for RATE_LIMIT_SOURCE: over every endpoint, before any is filtered out.
             (sum(sum(failures)) OVER (PARTITION BY tenant_id))::int AS tenant_failures,
             (sum(sum(failures)) OVER ())::int AS all_failures,
             (sum(sum(total_recent)) OVER (PARTITION BY tenant_id))::int AS tenant_recent,
             (sum(sum(total_baseline)) OVER (PARTITION BY tenant_id))::int AS tenant_baseline
        FROM per_label
       GROUP BY tenant_id, target
    ),${CLASSIFY}
    SELECT ${ROW_COLUMNS}, triage_distribution, tenant_failures, all_failures, tenant_recent, tenant_baseline
      FROM reported`;
  return { text, values: detectionValues(now, rules) };
}

export const OUTAGE_KINDS = ['failure_burst', 'sustained_outage'] as const satisfies readonly IncidentKind[];

/**
 * One index-only range of idx_deliveries_endpoint_created per endpoint, without the triage distribution,
 * so the common answer — no outage — stays cheap on the ingest path.
 */
export function buildOutageSignalQuery(endpoints: readonly EndpointRef[], now: Date, rules: DetectionRules): SqlQuery {
  const text = `
    WITH per_endpoint AS (
      SELECT e.tenant_id, e.target, c.*
        FROM (SELECT DISTINCT * FROM unnest($13::text[], $14::text[]) AS u(tenant_id, target)) e
        CROSS JOIN LATERAL (
          SELECT ${Object.entries(COUNTS)
            .map(([name, expr]) => `${expr}::int AS ${name}`)
            .join(',\n                 ')}
            FROM deliveries d
           WHERE d.tenant_id = e.tenant_id AND d.target = e.target
             AND d.created_at >= $1::timestamptz AND d.created_at <= $3::timestamptz
        ) c
    ),${CLASSIFY}
    SELECT ${ROW_COLUMNS}
      FROM reported
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

/** At most this many of an endpoint's newest failures are read to find its dominant error signature. */
export const SIGNATURE_SAMPLE = 500;

/** The newest failures' error texts per endpoint, for SILENCE_DUPES's signature share (normalized by the caller). */
export function buildRecentErrorsQuery(
  endpoints: Array<{ tenant_id: string; target: string }>,
  now: Date,
  rules: DetectionRules,
): SqlQuery {
  const w = detectionWindows(now, rules);
  const text = `
    SELECT e.tenant_id, e.target, recent.errors
      FROM unnest($1::text[], $2::text[]) AS e(tenant_id, target)
      CROSS JOIN LATERAL (
        SELECT array_agg(s.error) AS errors
          FROM (SELECT COALESCE(d.error, 'HTTP ' || d.http_status, '') AS error
                  FROM deliveries d
                 WHERE d.tenant_id = e.tenant_id AND d.target = e.target
                   AND d.status IN (${FAILED})
                   AND d.created_at >= $3::timestamptz AND d.created_at <= $4::timestamptz
                 ORDER BY d.created_at DESC
                 LIMIT $5::int) s
      ) recent`;
  return {
    text,
    values: [
      endpoints.map((e) => e.tenant_id),
      endpoints.map((e) => e.target),
      w.recentSince.toISOString(),
      w.now.toISOString(),
      SIGNATURE_SAMPLE,
    ],
  };
}

/**
 * Ties: the most recent, then alphabetical. `error` is not in the covering index, so this runs only for
 * incidents with failures and idx_deliveries_failures_by_endpoint finds just their rows.
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
    values: [endpoints.map((e) => e.tenant_id), endpoints.map((e) => e.target), w.recentSince.toISOString(), w.now.toISOString()],
  };
}
