import type { EndpointRef } from '../common/endpoint-key';
import { FAILED_STATUSES } from '../deliveries/delivery.constants';

export const SUCCESS_RATE_WINDOW_MS = 24 * 60 * 60_000;
/** Fewer samples than this say more about luck than about the endpoint. */
export const MIN_SUCCESS_RATE_SAMPLES = 5;

import type { SqlQuery } from '../common/sql-query';

export type { SqlQuery };

const FAILED = FAILED_STATUSES.map((s) => `'${s}'`).join(', ');

/** Last 24 h; idx_delivery_attempts_source_at bounds the attempts, each joins its delivery by primary key. */
export function buildReplaySuccessBatchQuery(refs: EndpointRef[], now: Date): SqlQuery {
  return {
    text: `
      SELECT d.tenant_id, d.target,
             count(*)::int AS samples,
             count(*) FILTER (WHERE a.http_status BETWEEN 200 AND 299)::int AS successes
        FROM delivery_attempts a
        JOIN deliveries d ON d.id = a.delivery_id
       WHERE a.source = 'autoheal'
         AND a.outcome IN ('succeeded', 'failed')
         AND a.attempted_at >= $3::timestamptz AND a.attempted_at <= $4::timestamptz
         AND (d.tenant_id, d.target) IN (SELECT * FROM unnest($1::text[], $2::text[]))
       GROUP BY d.tenant_id, d.target`,
    values: [
      refs.map((r) => r.tenantId),
      refs.map((r) => r.endpoint),
      new Date(now.getTime() - SUCCESS_RATE_WINDOW_MS).toISOString(),
      now.toISOString(),
    ],
  };
}

/**
 * `until` is the start of the detection recent window, so the incident being judged does not judge itself.
 * A LATERAL index-only count per endpoint on idx_deliveries_endpoint_created.
 */
export function buildHistorySuccessBatchQuery(refs: EndpointRef[], until: Date): SqlQuery {
  return {
    text: `
      SELECT k.tenant_id, k.target, h.samples, h.successes
        FROM unnest($1::text[], $2::text[]) AS k(tenant_id, target)
        CROSS JOIN LATERAL (
          SELECT count(*)::int AS samples,
                 count(*) FILTER (WHERE d.status = 'delivered')::int AS successes
            FROM deliveries d
           WHERE d.tenant_id = k.tenant_id
             AND d.target = k.target
             AND d.created_at >= $3::timestamptz AND d.created_at < $4::timestamptz
             AND d.status IN ('delivered', ${FAILED})
        ) h`,
    values: [
      refs.map((r) => r.tenantId),
      refs.map((r) => r.endpoint),
      new Date(until.getTime() - SUCCESS_RATE_WINDOW_MS).toISOString(),
      until.toISOString(),
    ],
  };
}
