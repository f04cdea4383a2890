import type { ClaimContext, EndpointLease, ReplayClaim, ReplayResult, ReplaySettlement, ResendClaim, ResendContext } from './replay.types';

export const AUTOHEAL_SOURCE = 'autoheal';
export const ABANDONED_ERROR = 'process stopped mid-send; not re-sent automatically';
/** The audit row written with each claim (before the request leaves) … */
export const SEND_AUDIT_ACTION = 'autoheal_replay_send';
/** … and the one settle appends with the outcome (the trail is append-only). */
export const OUTCOME_AUDIT_ACTION = 'autoheal_replay_outcome';

/**
 * The write-ahead record that makes one automatic re-send safe. The claim is written before
 * the request leaves; its unique key is `<delivery>:autoheal:<attempt counter>`, so racing
 * instances compute the same key and only one claim wins, a settled replay moves the counter
 * on (a later cycle may try again), and a crash leaves a `pending` attempt whose key blocks every
 * further automatic claim of that attempt: never a silent second send.
 */
export abstract class ReplayLedger {
  /**
   * Takes the healing lease of one endpoint for `holder` (a cycle id), or extends it when `holder`
   * has it already; null while another holder's lease runs. A takeover increments the fence.
   */
  abstract acquireEndpointLease(tenantId: string, endpoint: string, holder: string, ttlMs: number): Promise<EndpointLease | null>;

  /** Ends the lease now, if it is still this one; the fence stays, so the next holder gets a larger one. */
  abstract releaseEndpointLease(lease: EndpointLease): Promise<void>;

  /**
   * Null when the delivery is unknown, no longer failed, already claimed, re-sent automatically
   * since `ctx.cycleStartedAt` (the caller's view of it is stale), or `ctx.lease` is no longer current.
   * With `ctx.audit`, the send's audit intent is written in the same transaction as the claim.
   */
  abstract claim(deliveryId: string, ctx: ClaimContext): Promise<ReplayClaim | null>;

  /**
   * Claims one failed or dead-lettered delivery for an operator's explicit re-send, including one
   * whose automatic send was abandoned (which `claim` refuses for good). Still exactly once: the
   * claim takes the current attempt's automatic key when it is free, else the next operator re-send
   * key of that attempt, and it is refused while any send of the delivery is pending.
   */
  abstract claimForResend(deliveryId: string, ctx: ResendContext): Promise<ResendClaim>;

  /**
   * Records the outcome on the attempt and the delivery at once (and its audit outcome, when the
   * claim was audited). Only a still pending attempt is settled: a repeat (or an attempt already
   * abandoned) returns null.
   */
  abstract settle(claim: ReplayClaim, result: ReplayResult, now: Date): Promise<ReplaySettlement | null>;

  /**
   * Marks automatic attempts still pending since before `olderThan` as abandoned (their sender
   * died) and returns their ids. They stay visible, and their key keeps blocking automatic claims.
   */
  abstract abandonStale(olderThan: Date): Promise<string[]>;
}
