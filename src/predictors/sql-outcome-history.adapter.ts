import { DataSource } from 'typeorm';
import { OutcomeHistory, StrategyOutcome } from './outcome-history.port';

/** An escalation nobody acknowledged or resolved within this long was a page nobody needed. */
export const UNANSWERED_ESCALATION_HOURS = 24;

/**
 * One row per past decision with its result, from what is recorded anyway:
 * replays (live cycles' actions: every replayed delivery delivered), recoveries (incidents that were probed:
 * recovered, or given up), escalations (acknowledged or resolved by an operator, or left unanswered), approvals
 * (granted or rejected), deferral runs (cleared, or escalated), throttles (ran their course, or an operator lifted
 * them) and silences (ran their course, or ended early / the error escalated anyway).
 */
const OUTCOMES = `
  WITH incident_features AS (
    SELECT id, tenant_id, endpoint, kind, severity, backlog_size, ineffective_attempts, opened_at, updated_at, escalation_id FROM incidents
  ), raw AS (
    SELECT 'REPLAY_RECENT' AS strategy, a->'incident'->>'tenant_id' AS tenant_id, a->'incident'->>'endpoint' AS endpoint, h.run_at AS at,
           COALESCE(jsonb_array_length(a->'still_failing'), 0) = 0 AS success, 'replay' AS source, NULL::uuid AS incident_id,
           jsonb_build_object('id', NULL, 'kind', a->'incident'->>'kind', 'severity', a->'incident'->>'severity',
                              'failures', (a->'incident'->>'failures')::int, 'ineffective_attempts', 0) AS summary
      FROM autoheal_history h CROSS JOIN LATERAL jsonb_array_elements(COALESCE(h.actions_taken, '[]'::jsonb)) a
     WHERE NOT h.dry_run AND a->>'strategy' = 'REPLAY_RECENT' AND (a->>'executed')::boolean
       AND COALESCE(jsonb_array_length(a->'replayed'), 0) > 0
       -- An interrupted cycle's sends recovered from the audit trail: no decision to learn from, some never answered.
       AND a->>'recovered_from' IS NULL
    UNION ALL
    SELECT 'RECOVER_BACKLOG', tenant_id, endpoint, COALESCE(recovered_at, updated_at), recovered_at IS NOT NULL, 'recovery', id, NULL::jsonb
      FROM incidents WHERE probes > 0 AND (recovered_at IS NOT NULL OR state IN ('escalated', 'resolved', 'expired'))
    UNION ALL
    SELECT 'ESCALATE_OPERATOR', e.tenant_id, e.endpoint,
           COALESCE(e.acknowledged_at, e.resolved_at, e.created_at + make_interval(hours => ${UNANSWERED_ESCALATION_HOURS})),
           e.acknowledged_at IS NOT NULL OR e.resolved_at IS NOT NULL, 'escalation', i.id, NULL::jsonb
      FROM escalations e LEFT JOIN incident_features i ON i.escalation_id = e.id
     WHERE e.acknowledged_at IS NOT NULL OR e.resolved_at IS NOT NULL
        OR e.created_at < $2::timestamptz - make_interval(hours => ${UNANSWERED_ESCALATION_HOURS})
    UNION ALL
    SELECT CASE WHEN a.plan ? 'throttle' THEN 'RATE_LIMIT_SOURCE' ELSE 'RECOVER_BACKLOG' END, i.tenant_id, i.endpoint, a.decided_at,
           a.status = 'approved', 'approval', i.id, NULL::jsonb
      FROM approvals a JOIN incident_features i ON i.id = a.incident_id
     WHERE a.status IN ('approved', 'rejected')
    UNION ALL
    SELECT 'DEFER_AND_MONITOR', tenant_id, endpoint, last_deferred_at, status = 'cleared', 'deferral', NULL::uuid, NULL::jsonb
      FROM incident_deferrals WHERE status IN ('cleared', 'escalated')
    UNION ALL
    SELECT 'RATE_LIMIT_SOURCE', t.tenant_id, COALESCE(i.endpoint, ''), COALESCE(t.lifted_at, t.until),
           t.lifted_by IS NULL OR t.lifted_by = 'superseded', 'throttle', t.incident_id, NULL::jsonb
      FROM tenant_throttles t LEFT JOIN incident_features i ON i.id = t.incident_id
     WHERE t.set_by = 'system:autoheal' AND (t.lifted_at IS NOT NULL OR t.until <= $2::timestamptz)
    UNION ALL
    SELECT 'SILENCE_DUPES', s.tenant_id, COALESCE(i.endpoint, ''), COALESCE(s.expired_at, s.ends_at),
           s.expired_at IS NULL AND s.escalated_at IS NULL, 'silence', s.incident_id, NULL::jsonb
      FROM notification_silences s LEFT JOIN incident_features i ON i.id = s.incident_id
     WHERE s.created_by = 'system:autoheal' AND (s.expired_at IS NOT NULL OR s.ends_at <= $2::timestamptz)
  )
  SELECT r.strategy, r.tenant_id, r.endpoint, r.at, r.success, r.source,
         CASE WHEN f.id IS NULL THEN r.summary ELSE jsonb_build_object(
           'id', f.id, 'kind', f.kind, 'severity', f.severity, 'failures', f.backlog_size, 'ineffective_attempts', f.ineffective_attempts)
         END AS incident
    FROM raw r
    LEFT JOIN LATERAL (
      SELECT * FROM incident_features f
       WHERE (r.incident_id IS NOT NULL AND f.id = r.incident_id)
          OR (r.incident_id IS NULL AND f.tenant_id = r.tenant_id AND f.endpoint = r.endpoint AND r.at BETWEEN f.opened_at AND f.updated_at)
       ORDER BY f.opened_at DESC LIMIT 1
    ) f ON true
   WHERE r.at >= $1::timestamptz AND r.at < $2::timestamptz AND r.tenant_id IS NOT NULL
   ORDER BY r.at, r.strategy, r.endpoint`;

export class SqlOutcomeHistory extends OutcomeHistory {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async outcomes(since: Date, until: Date): Promise<StrategyOutcome[]> {
    const rows: Array<Omit<StrategyOutcome, 'at'> & { at: Date | string }> = await this.dataSource.query(OUTCOMES, [since, until]);
    return rows.map((row) => ({ ...row, at: new Date(row.at) }));
  }
}
