import type { ClaimContext, ReplayClaim, ReplayResult, ReplaySettlement, ResendClaim, ResendContext } from './replay.types';

export const AUTOHEAL_SOURCE = 'autoheal';
export const ABANDONED_ERROR = 'process stopped mid-send; not re-sent automatically';

/**
 * The write-ahead record that makes one automatic re-send safe. The claim is written before
 * the request leaves; its unique key is `<delivery>:autoheal:<attempt counter>`, so racing
 * instances compute the same key and only one claim wins, a settled replay moves the counter
 * on (a later cycle may try again), and a crash leaves a `pending` attempt whose key blocks every
 * further automatic claim of that attempt: never a silent second send.
 */
export abstract class ReplayLedger {
  /**
   * Null when the delivery is unknown, no longer failed, already claimed, or re-sent automatically
   * since `ctx.cycleStartedAt` (the caller's view of it is stale).
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
   * Records the outcome on the attempt and the delivery at once. Only a still pending attempt is
   * settled: a repeat (or an attempt already abandoned) returns null.
   */
  abstract settle(claim: ReplayClaim, result: ReplayResult, now: Date): Promise<ReplaySettlement | null>;

  /**
   * Marks automatic attempts still pending since before `olderThan` as abandoned (their sender
   * died) and returns their ids. They stay visible, and their key keeps blocking automatic claims.
   */
  abstract abandonStale(olderThan: Date): Promise<string[]>;
}
