import type { ClaimContext, EndpointLease, ReplayClaim, ReplayResult, ReplaySettlement, ResendClaim, ResendContext } from './replay.types';

export const AUTOHEAL_SOURCE = 'autoheal';
export const ABANDONED_ERROR = 'process stopped mid-send; not re-sent automatically';
/** Written with each claim, before the request leaves … */
export const SEND_AUDIT_ACTION = 'autoheal_replay_send';
/** … and appended with the outcome by settle (the trail is append-only). */
export const OUTCOME_AUDIT_ACTION = 'autoheal_replay_outcome';

/**
 * The write-ahead record that makes one automatic re-send safe: racing instances compute the same unique key
 * and only one claim wins, and a crash leaves a `pending` attempt whose key blocks every further automatic
 * claim of that attempt — never a silent second send.
 */
export abstract class ReplayLedger {
  /** Null while another holder's lease runs. A takeover increments the fence. */
  abstract acquireEndpointLease(tenantId: string, endpoint: string, holder: string, ttlMs: number): Promise<EndpointLease | null>;

  /** The fence stays, so the next holder gets a larger one. */
  abstract releaseEndpointLease(lease: EndpointLease): Promise<void>;

  /**
   * Null when the delivery is unknown, no longer failed, already claimed, re-sent since `ctx.cycleStartedAt`
   * (a stale view), or `ctx.lease` is no longer current. The audit intent commits with the claim.
   */
  abstract claim(deliveryId: string, ctx: ClaimContext): Promise<ReplayClaim | null>;

  /**
   * Also claims a delivery whose automatic send was abandoned (which `claim` refuses for good). Still exactly
   * once: the current attempt's automatic key when free, else the next operator key; refused while any send is pending.
   */
  abstract claimForResend(deliveryId: string, ctx: ResendContext): Promise<ResendClaim>;

  /** Only a still pending attempt is settled: a repeat (or an attempt already abandoned) returns null. */
  abstract settle(claim: ReplayClaim, result: ReplayResult, now: Date): Promise<ReplaySettlement | null>;

  /** Their sender died; they stay visible, and their key keeps blocking automatic claims. */
  abstract abandonStale(olderThan: Date): Promise<string[]>;
}
