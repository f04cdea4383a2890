export interface ReplayClaim {
  /** bigint, as text. */
  attemptId: string;
  deliveryId: string;
  tenantId: string;
  target: string;
  payload: unknown;
  /** The bytes as the dispatcher sent them; null: the payload is sent as JSON. */
  body: string | null;
  contentType: string | null;
  headers: Record<string, unknown> | null;
  /** Unique, so it is the claim itself. */
  replayKey: string;
  attemptNumber: number;
  cycleId: string | null;
  actor: string;
  claimedAt: Date;
  /** Settle then appends the audit outcome. */
  audited?: boolean;
}

/** `fence` grows each time the lease changes hands, so a holder whose lease was taken over cannot claim any more. */
export interface EndpointLease {
  tenantId: string;
  endpoint: string;
  holder: string;
  /** bigint, as text. */
  fence: string;
  /** Each claim extends the lease by this. */
  ttlMs: number;
}

export interface ClaimContext {
  cycleId: string | null;
  /**
   * A delivery re-sent by anyone since then is not claimable (the view is stale, even if that replay failed),
   * and the same cycle never claims one delivery twice.
   */
  cycleStartedAt: Date;
  actor: string;
  now: Date;
  /** The claim is refused unless this lease is still current, and extends it. */
  lease?: EndpointLease;
  audit?: boolean;
  /** Which strategy sends it, in the audit intent: what an interrupted cycle's history recovers from. */
  strategy?: 'REPLAY_RECENT' | 'RECOVER_BACKLOG';
}

export interface ResendContext {
  actor: string;
  now: Date;
}

export type ResendRefusal = 'unknown' | 'not_failed' | 'in_flight';

export type ResendClaim = { claim: ReplayClaim } | { refused: ResendRefusal; status?: string };

export interface ReplayRequest {
  deliveryId: string;
  /** Whose signing settings apply. */
  tenantId: string;
  target: string;
  payload: unknown;
  /** Sent byte for byte when given, else the payload as JSON. */
  body?: string | null;
  /** Defaults to application/json. */
  contentType?: string | null;
  headers: Record<string, unknown> | null;
  idempotencyKey: string;
}

export interface ReplayResult {
  ok: boolean;
  httpStatus: number | null;
  error: string | null;
  durationMs: number;
  /** Seconds or an HTTP date, as sent. */
  retryAfter?: string;
  /** A slow-down signal for pacing, like a 429. */
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
    tenantId: claim.tenantId,
    target: claim.target,
    payload: claim.payload,
    body: claim.body,
    contentType: claim.contentType,
    headers: claim.headers,
    idempotencyKey: claim.deliveryId,
  };
}
