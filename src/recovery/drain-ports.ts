/** Something a drain can send; `id` is what makes "sent at most once" checkable. */
export interface DrainItem {
  id: string;
}

/** The backlog of one incident or recovery, oldest first. */
export abstract class BacklogSource<T extends DrainItem = DrainItem> {
  /**
   * Up to `limit` items still to send, oldest first. Items whose send was already claimed must not
   * come back; the drain also ignores any id it has handled, and ends when a batch brings nothing new.
   */
  abstract next(limit: number): Promise<T[]>;
}

export type DrainOutcome = 'delivered' | 'failed' | 'skipped';

export interface DrainSendResult {
  /** `skipped`: the claim was refused (someone else owns it), so nothing was sent. */
  outcome: DrainOutcome;
  httpStatus?: number;
  /** The receiver's Retry-After, already converted to milliseconds. */
  retryAfterMs?: number;
  timedOut?: boolean;
  /** Why a `skipped` item was not sent (claim refused, target refused), for the record. */
  reason?: string;
}

/** Claims one item, sends it, settles it. */
export abstract class DrainSender<T extends DrainItem = DrainItem> {
  /** Resolves once the request has been answered (its settlement may still be on its way: see flush). */
  abstract send(item: T): Promise<DrainSendResult>;

  /** Every settlement of what send() returned is written. A drain awaits it after each batch. */
  async flush(): Promise<void> {}
}
