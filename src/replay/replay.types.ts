/** What the sender needs to re-send one delivery, taken atomically with the attempt row. */
export interface ReplayClaim {
  /** `delivery_attempts.id` (bigint, as text). */
  attemptId: string;
  deliveryId: string;
  tenantId: string;
  target: string;
  payload: unknown;
  headers: Record<string, unknown> | null;
  /** `<delivery id>:autoheal:<attempts at claim time>`; unique, so it is the claim itself. */
  replayKey: string;
  /** The delivery's attempt counter when it was claimed. */
  attemptNumber: number;
  cycleId: string | null;
  actor: string;
  claimedAt: Date;
}

export interface ClaimContext {
  /** The healing cycle (uuid), recorded on the attempt. */
  cycleId: string | null;
  /**
   * When the claiming cycle read its candidates. A delivery re-sent by anyone since then is not
   * claimable: the caller's view of it is stale (another instance replayed it meanwhile, even if
   * that replay failed), and the same cycle never claims one delivery twice.
   */
  cycleStartedAt: Date;
  /** Who: `system:autoheal`, or an operator's token subject. */
  actor: string;
  now: Date;
}

/** Who re-sends one delivery by hand (`POST /deliveries/:id/replay`). */
export interface ResendContext {
  actor: string;
  now: Date;
}

/** Why an operator re-send was refused: the delivery is unknown, not failed, or being sent right now. */
export type ResendRefusal = 'unknown' | 'not_failed' | 'in_flight';

export type ResendClaim = { claim: ReplayClaim } | { refused: ResendRefusal; status?: string };

export interface ReplayRequest {
  deliveryId: string;
  target: string;
  payload: unknown;
  headers: Record<string, unknown> | null;
  idempotencyKey: string;
}

export interface ReplayResult {
  ok: boolean;
  httpStatus: number | null;
  error: string | null;
  durationMs: number;
  /** The receiver's Retry-After header as sent (seconds or an HTTP date), for pacing. */
  retryAfter?: string;
  /** No answer in time: a slow-down signal for pacing, like a 429. */
  timedOut?: boolean;
}

export interface ReplaySettlement {
  attemptId: string;
  deliveryId: string;
  outcome: 'succeeded' | 'failed';
  deliveryStatus: string;
  attempts: number;
  triageLabel: string | null;
  triageScore: number | null;
}

/** The receiver dedupes on the delivery id: every replay of one delivery is the same event. */
export function replayRequestFor(claim: ReplayClaim): ReplayRequest {
  return {
    deliveryId: claim.deliveryId,
    target: claim.target,
    payload: claim.payload,
    headers: claim.headers,
    idempotencyKey: claim.deliveryId,
  };
}
