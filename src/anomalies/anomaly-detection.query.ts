import { FAILED_STATUSES } from '../deliveries/delivery.constants';
import type { DetectionRules } from '../rules/rules.types';

import type { SqlQuery } from '../common/sql-query';

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
  kind: 'failure_burst' | 'traffic_spike';
  total_recent: number;
  failures: number;
  total_baseline: number;
  failures_baseline: number;
  triage_distribution: Record<string, number>;
}

/**
 * The whole of M3 in one statement. It reads only `created_at` in [now − window, now] and only
 * columns of idx_deliveries_created_at (key + INCLUDE), so it is an index-only range scan whatever
 * the table's size. Rates are compared by cross-multiplication in numeric: exact, and no division
 * by an empty baseline — an empty baseline has failure rate 0 and passes the traffic ratio test
 * (recent traffic against none), so a spike then depends on traffic_spike_min_deliveries alone.
 * Exported so a benchmark can run (and EXPLAIN) exactly what the adapter runs.
 */
export function buildDetectionQuery(now: Date, rules: DetectionRules): SqlQuery {
  const w = detectionWindows(now, rules);
  const text = `
    WITH per_label AS (
      SELECT d.tenant_id, d.target, COALESCE(d.triage_label, '${UNLABELLED}') AS triage_label,
             count(*) FILTER (WHERE d.created_at >= $2::timestamptz) AS total_recent,
             count(*) FILTER (WHERE d.created_at >= $2::timestamptz AND d.status IN (${FAILED})) AS failures,
             count(*) FILTER (WHERE d.created_at < $2::timestamptz) AS total_baseline,
             count(*) FILTER (WHERE d.created_at < $2::timestamptz AND d.status IN (${FAILED})) AS failures_baseline
        FROM deliveries d
       WHERE d.created_at >= $1::timestamptz AND d.created_at <= $3::timestamptz
       GROUP BY d.tenant_id, d.target, COALESCE(d.triage_label, '${UNLABELLED}')
    ),
    per_endpoint AS (
      SELECT tenant_id, target,
             sum(total_recent)::int AS total_recent,
             sum(failures)::int AS failures,
             sum(total_baseline)::int AS total_baseline,
             sum(failures_baseline)::int AS failures_baseline,
             COALESCE(jsonb_object_agg(triage_label, failures) FILTER (WHERE failures > 0), '{}'::jsonb) AS triage_distribution
        FROM per_label
       GROUP BY tenant_id, target
    ),
    classified AS (
      SELECT *,
             CASE
               WHEN failures >= $4::int
                AND failures >= $5::numeric * total_recent
                AND failures::numeric * total_baseline >= $6::numeric * failures_baseline * total_recent
                 THEN 'failure_burst'
               WHEN total_recent >= $7::int
                AND total_recent::numeric * $9::numeric >= $8::numeric * total_baseline * $10::numeric
                 THEN 'traffic_spike'
             END AS kind
        FROM per_endpoint
       WHERE total_recent > 0
    )
    SELECT tenant_id, target, kind, total_recent, failures, total_baseline, failures_baseline, triage_distribution
      FROM classified
     WHERE kind IS NOT NULL`;
  return {
    text,
    values: [
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
    ],
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
