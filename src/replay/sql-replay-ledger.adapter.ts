import { DataSource } from 'typeorm';
import { classifyFailure } from '../triage/triage';
import { ABANDONED_ERROR, AUTOHEAL_SOURCE, OUTCOME_AUDIT_ACTION, ReplayLedger, SEND_AUDIT_ACTION } from './replay-ledger.port';
import { FAILED_STATUSES } from '../deliveries/delivery.constants';
import { replayKeyFor, replayKeySql, resendKeyFor, resendKeyPrefix } from './replay-key';
import type { ClaimContext, EndpointLease, ReplayClaim, ReplayResult, ReplaySettlement, ResendClaim, ResendContext } from './replay.types';

// The fence grows on every change of holder.
const ACQUIRE_LEASE = `INSERT INTO endpoint_leases (tenant_id, endpoint, holder, fence, expires_at)
  VALUES ($1, $2, $3, 1, now() + $4 * interval '1 millisecond')
  ON CONFLICT (tenant_id, endpoint) DO UPDATE SET
    fence = CASE WHEN endpoint_leases.holder = EXCLUDED.holder THEN endpoint_leases.fence ELSE endpoint_leases.fence + 1 END,
    holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
  WHERE endpoint_leases.expires_at <= now() OR endpoint_leases.holder = EXCLUDED.holder
  RETURNING fence::text AS fence`;
const RELEASE_LEASE = `UPDATE endpoint_leases SET expires_at = now()
  WHERE tenant_id = $1 AND endpoint = $2 AND holder = $3 AND fence = $4::bigint AND expires_at > now()`;
const RENEW_LEASE = `UPDATE endpoint_leases SET expires_at = now() + $5 * interval '1 millisecond'
  WHERE tenant_id = $1 AND endpoint = $2 AND holder = $3 AND fence = $4::bigint AND expires_at > now()`;
/**
 * Claims renew their lease at most once per this share of its TTL, in a statement of its own: a claim only
 * share-locks the lease row, so the claims of one drain commit side by side instead of one fsync at a time.
 */
const LEASE_RENEWAL_SHARE = 0.1;
// A 2xx needs no triage: the attempt, the delivery and the outcome's audit row in one statement (one round trip
// and one commit, where a drain sends hundreds a second). The UPDATE of deliveries runs only if the attempt was
// still pending, exactly as the transaction below; FROM settled also row-locks the delivery like its FOR NO KEY UPDATE.
const SETTLE_DELIVERED = `
  WITH settled AS (
    UPDATE delivery_attempts
       SET outcome = 'succeeded', http_status = $3, error = $4, duration_ms = $5, finished_at = $6
     WHERE id = $1 AND outcome = 'pending'
     RETURNING id
  ), delivery AS (
    UPDATE deliveries d
       SET attempts = d.attempts + 1,
           last_attempt_at = $6,
           updated_at = $6,
           http_status = $3,
           error = $4,
           status = 'delivered',
           new_status = 'delivered',
           meta = d.meta || jsonb_build_object('autoheal', true, 'last_replay_attempt_id', $1::text)
      FROM settled
     WHERE d.id = $2
     RETURNING d.status, d.attempts, d.triage_label, d.triage_score
  ), audited AS (
    INSERT INTO operator_audit (at, operator_id, action, resource_type, resource_id, tenant_id, meta)
    SELECT $6, $7, '${OUTCOME_AUDIT_ACTION}', 'delivery', $2, $8, $9::jsonb
      FROM delivery
     WHERE $10::boolean
  )
  SELECT status, attempts, triage_label, triage_score FROM delivery`;
const OUTCOME_AUDIT = `INSERT INTO operator_audit (at, operator_id, action, resource_type, resource_id, tenant_id, meta)
  VALUES ($1, $2, '${OUTCOME_AUDIT_ACTION}', 'delivery', $3, $4, $5::jsonb)`;

interface ClaimRow {
  attempt_id: string;
  delivery_id: string;
  tenant_id: string;
  target: string;
  payload: unknown;
  body: string | null;
  content_type: string | null;
  headers: Record<string, unknown> | null;
  replay_key: string;
  attempt_number: number;
  cycle_id: string | null;
  actor: string;
  attempted_at: Date;
  audited: boolean;
}

type DeliveryToResend = Pick<ClaimRow, 'tenant_id' | 'target' | 'payload' | 'body' | 'content_type' | 'headers'> & {
  id: string;
  status: string;
  attempts: number;
};

const RESEND_CANDIDATE = `SELECT id, tenant_id, target, payload, body, content_type, headers, attempts, status
  FROM deliveries WHERE id = $1 FOR NO KEY UPDATE`;

// Every pending send of the delivery blocks a re-send; the keys of the current counter say which is next.
const RESEND_BLOCKERS = `
  SELECT replay_key, outcome FROM delivery_attempts
   WHERE delivery_id = $1 AND source = '${AUTOHEAL_SOURCE}'
     AND (outcome = 'pending' OR replay_key = $2 OR starts_with(replay_key, $3))`;

const INSERT_RESEND_CLAIM = `
  INSERT INTO delivery_attempts (delivery_id, attempted_at, source, actor, outcome, replay_key)
  VALUES ($1, $2, '${AUTOHEAL_SOURCE}', $3, 'pending', $4)
  ON CONFLICT (replay_key) DO NOTHING
  RETURNING id::text AS attempt_id, delivery_id, replay_key, attempted_at, actor, cycle_id`;

function toClaim(row: ClaimRow): ReplayClaim {
  return {
    attemptId: row.attempt_id,
    deliveryId: row.delivery_id,
    tenantId: row.tenant_id,
    target: row.target,
    payload: row.payload,
    body: row.body,
    contentType: row.content_type,
    headers: row.headers,
    replayKey: row.replay_key,
    attemptNumber: row.attempt_number,
    cycleId: row.cycle_id,
    actor: row.actor,
    claimedAt: new Date(row.attempted_at),
    ...(row.audited ? { audited: true } : {}),
  };
}

/** The claim is an insert that the unique `replay_key` arbitrates. */
export class SqlReplayLedger extends ReplayLedger {
  /** When this process last extended each lease it holds (real time: expiry is the database's now()). */
  private readonly renewedAt = new WeakMap<EndpointLease, number>();

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async acquireEndpointLease(tenantId: string, endpoint: string, holder: string, ttlMs: number): Promise<EndpointLease | null> {
    const [row]: Array<{ fence: string }> = await this.dataSource.query(ACQUIRE_LEASE, [tenantId, endpoint, holder, ttlMs]);
    if (!row) return null;
    const lease = { tenantId, endpoint, holder, fence: row.fence, ttlMs };
    this.renewedAt.set(lease, Date.now());
    return lease;
  }

  /** Extends a current lease by its TTL when LEASE_RENEWAL_SHARE of it has passed since it was last extended. */
  private async renewIfDue(lease: EndpointLease): Promise<void> {
    const last = this.renewedAt.get(lease);
    const now = Date.now();
    if (last !== undefined && now - last < lease.ttlMs * LEASE_RENEWAL_SHARE) return;
    // Set first: the claims running alongside do not renew it again.
    this.renewedAt.set(lease, now);
    await this.dataSource.query(RENEW_LEASE, [lease.tenantId, lease.endpoint, lease.holder, lease.fence, lease.ttlMs]);
  }

  async releaseEndpointLease(lease: EndpointLease): Promise<void> {
    await this.dataSource.query(RELEASE_LEASE, [lease.tenantId, lease.endpoint, lease.holder, lease.fence]);
  }

  async claim(deliveryId: string, ctx: ClaimContext): Promise<ReplayClaim | null> {
    // The unique key stops overlapping claims; the NOT EXISTS stops a claim from a stale view once the first has
    // settled. The lease check share-locks the lease row, so a concurrent takeover (an UPDATE) waits until this
    // claim commits, and a claim after a takeover sees the new fence and is refused. The lease is extended beside
    // the claims (renewIfDue), not by each: one row lock per claim would make a drain's claims commit in single file.
    // One statement: the lease check, the claim and its audit intent commit together or not at all.
    const lease = ctx.lease;
    if (lease) await this.renewIfDue(lease);
    const rows: ClaimRow[] = await this.dataSource.query(
      `WITH lease AS (
         SELECT fence FROM endpoint_leases
          WHERE $6::text IS NOT NULL AND tenant_id = $6 AND endpoint = $7 AND holder = $8 AND fence = $9::bigint AND expires_at > now()
          FOR SHARE
       ), candidate AS (
         SELECT d.id, d.tenant_id, d.target, d.payload, d.body, d.content_type, d.headers, d.attempts
           FROM deliveries d
          WHERE d.id = $1
            AND d.status IN ('failed', 'dead_letter')
            AND ($6::text IS NULL OR EXISTS (SELECT 1 FROM lease))
            AND NOT EXISTS (
                  SELECT 1 FROM delivery_attempts a
                   WHERE a.delivery_id = d.id AND a.source = '${AUTOHEAL_SOURCE}' AND a.attempted_at >= $5)
       ), claimed AS (
         INSERT INTO delivery_attempts (delivery_id, attempted_at, source, actor, outcome, replay_key, cycle_id)
         SELECT c.id, $3, '${AUTOHEAL_SOURCE}', $4, 'pending', ${replayKeySql('c.id', 'c.attempts')}, $2::uuid
           FROM candidate c
         ON CONFLICT (replay_key) DO NOTHING
         RETURNING id, delivery_id, replay_key, attempted_at, actor, cycle_id
       ), audited AS (
         INSERT INTO operator_audit (at, operator_id, action, resource_type, resource_id, tenant_id, meta)
         SELECT cl.attempted_at, cl.actor, '${SEND_AUDIT_ACTION}', 'delivery', cl.delivery_id, c.tenant_id,
                jsonb_build_object('cycle_id', cl.cycle_id, 'attempt_id', cl.id::text, 'replay_key', cl.replay_key,
                                   'target', c.target, 'fence', $9::text, 'strategy', $11::text)
           FROM claimed cl JOIN candidate c ON c.id = cl.delivery_id
          WHERE $10::boolean
         RETURNING id
       )
       SELECT cl.id::text AS attempt_id, cl.delivery_id, c.tenant_id, c.target, c.payload, c.body, c.content_type, c.headers,
              cl.replay_key, c.attempts AS attempt_number, cl.cycle_id, cl.actor, cl.attempted_at,
              EXISTS (SELECT 1 FROM audited) AS audited
         FROM claimed cl JOIN candidate c ON c.id = cl.delivery_id`,
      [
        deliveryId,
        ctx.cycleId,
        ctx.now,
        ctx.actor,
        ctx.cycleStartedAt,
        lease?.tenantId ?? null,
        lease?.endpoint ?? null,
        lease?.holder ?? null,
        lease?.fence ?? null,
        ctx.audit ?? false,
        ctx.strategy ?? null,
      ],
    );
    return rows[0] ? toClaim(rows[0]) : null;
  }

  /** The delivery row is locked, so its attempt counter cannot move between reading it and claiming. */
  async claimForResend(deliveryId: string, ctx: ResendContext): Promise<ResendClaim> {
    return this.dataSource.transaction(async (tx) => {
      const [delivery]: DeliveryToResend[] = await tx.query(RESEND_CANDIDATE, [deliveryId]);
      if (!delivery) return { refused: 'unknown' };
      if (!(FAILED_STATUSES as readonly string[]).includes(delivery.status)) return { refused: 'not_failed', status: delivery.status };
      const automaticKey = replayKeyFor(delivery.id, delivery.attempts);
      const prefix = resendKeyPrefix(delivery.id, delivery.attempts);
      const sends: Array<{ replay_key: string; outcome: string }> = await tx.query(RESEND_BLOCKERS, [delivery.id, automaticKey, prefix]);
      if (sends.some((send) => send.outcome === 'pending')) return { refused: 'in_flight' };
      const automaticTaken = sends.some((send) => send.replay_key === automaticKey);
      const resends = sends.filter((send) => send.replay_key.startsWith(prefix)).length;
      const key = automaticTaken ? resendKeyFor(delivery.id, delivery.attempts, resends + 1) : automaticKey;
      const [claimed]: ClaimRow[] = await tx.query(INSERT_RESEND_CLAIM, [delivery.id, ctx.now, ctx.actor, key]);
      if (!claimed) return { refused: 'in_flight' };
      const { tenant_id, target, payload, body, content_type, headers, attempts } = delivery;
      return { claim: toClaim({ ...claimed, tenant_id, target, payload, body, content_type, headers, attempt_number: attempts }) };
    });
  }

  /** One transaction, so the attempt and the delivery never disagree. */
  async settle(claim: ReplayClaim, result: ReplayResult, now: Date): Promise<ReplaySettlement | null> {
    const outcome = result.ok ? 'succeeded' : 'failed';
    const durationMs = Math.max(0, Math.round(result.durationMs));
    if (result.ok) return this.settleDelivered(claim, result, durationMs, now);
    return this.dataSource.transaction(async (tx) => {
      const [settled]: [Array<{ id: string }>, number] = await tx.query(
        `UPDATE delivery_attempts
            SET outcome = $2, http_status = $3, error = $4, duration_ms = $5, finished_at = $6
          WHERE id = $1 AND outcome = 'pending'
          RETURNING id`,
        [claim.attemptId, outcome, result.httpStatus, result.error, durationMs, now],
      );
      if (settled.length === 0) return null;

      const [current]: Array<{ status: string }> = await tx.query(`SELECT status FROM deliveries WHERE id = $1 FOR NO KEY UPDATE`, [
        claim.deliveryId,
      ]);
      if (!current) return null;
      const triage = result.ok ? null : classifyFailure({ status: current.status, http_status: result.httpStatus, error: result.error });

      const [[delivery]]: [Array<{ status: string; attempts: number; triage_label: string | null; triage_score: number | null }>, number] =
        await tx.query(
          `UPDATE deliveries
              SET attempts = attempts + 1,
                  last_attempt_at = $2,
                  updated_at = $2,
                  http_status = $3,
                  error = $4,
                  status = CASE WHEN $5::boolean THEN 'delivered' ELSE status END,
                  triage_label = COALESCE($6, triage_label),
                  triage_score = COALESCE($7::real, triage_score),
                  new_status = CASE WHEN $5::boolean THEN 'delivered' ELSE status END,
                  meta = meta || jsonb_build_object('autoheal', true, 'last_replay_attempt_id', $8::text)
            WHERE id = $1
            RETURNING status, attempts, triage_label, triage_score`,
          [
            claim.deliveryId,
            now,
            result.httpStatus,
            result.error,
            result.ok,
            triage?.label ?? null,
            triage?.score ?? null,
            claim.attemptId,
          ],
        );
      if (claim.audited) {
        await tx.query(OUTCOME_AUDIT, [
          now,
          claim.actor,
          claim.deliveryId,
          claim.tenantId,
          JSON.stringify({
            cycle_id: claim.cycleId,
            attempt_id: claim.attemptId,
            outcome,
            http_status: result.httpStatus,
            error: result.error,
            duration_ms: durationMs,
          }),
        ]);
      }
      return {
        attemptId: claim.attemptId,
        deliveryId: claim.deliveryId,
        outcome,
        deliveryStatus: delivery.status,
        attempts: delivery.attempts,
        triageLabel: delivery.triage_label,
        triageScore: delivery.triage_score,
      };
    });
  }

  private async settleDelivered(claim: ReplayClaim, result: ReplayResult, durationMs: number, now: Date): Promise<ReplaySettlement | null> {
    const audit = JSON.stringify({
      cycle_id: claim.cycleId,
      attempt_id: claim.attemptId,
      outcome: 'succeeded',
      http_status: result.httpStatus,
      error: result.error,
      duration_ms: durationMs,
    });
    const rows: Array<{ status: string; attempts: number; triage_label: string | null; triage_score: number | null }> =
      await this.dataSource.query(SETTLE_DELIVERED, [
        claim.attemptId,
        claim.deliveryId,
        result.httpStatus,
        result.error,
        durationMs,
        now,
        claim.actor,
        claim.tenantId,
        audit,
        claim.audited === true,
      ]);
    const [delivery] = rows;
    if (!delivery) return null;
    return {
      attemptId: claim.attemptId,
      deliveryId: claim.deliveryId,
      outcome: 'succeeded',
      deliveryStatus: delivery.status,
      attempts: delivery.attempts,
      triageLabel: delivery.triage_label,
      triageScore: delivery.triage_score,
    };
  }

  async abandonStale(olderThan: Date): Promise<string[]> {
    const [rows]: [Array<{ id: string }>, number] = await this.dataSource.query(
      `UPDATE delivery_attempts
          SET outcome = 'abandoned', error = $2
        WHERE source = '${AUTOHEAL_SOURCE}' AND outcome = 'pending' AND attempted_at < $1
        RETURNING id::text AS id`,
      [olderThan, ABANDONED_ERROR],
    );
    return rows.map((row) => row.id);
  }
}
