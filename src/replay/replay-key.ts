// Stored in delivery_attempts.replay_key, so the format outlives any rename: a claim written
// before a change must still block the attempt it claimed.
const NAMESPACE = 'autoheal';

/**
 * The unique key of the automatic re-send of one delivery at one attempt counter. Racing
 * instances compute the same key, so only one claim wins; a settled replay moves the counter on.
 */
export function replayKeyFor(deliveryId: string, attempts: number): string {
  return `${deliveryId}:${NAMESPACE}:${attempts}`;
}

/** `replayKeyFor` as a SQL expression over a delivery's id and attempts columns. */
export function replayKeySql(deliveryIdColumn: string, attemptsColumn: string): string {
  return `${deliveryIdColumn} || ':${NAMESPACE}:' || ${attemptsColumn}`;
}

/**
 * The key of the `n`th operator re-send (`POST /deliveries/:id/replay`) at one attempt counter, used
 * when the automatic key of that counter is already taken by an abandoned send. Unique like the
 * automatic one, so two operators racing compute the same key and only one re-send leaves.
 */
export function resendKeyFor(deliveryId: string, attempts: number, n: number): string {
  return `${resendKeyPrefix(deliveryId, attempts)}${n}`;
}

export function resendKeyPrefix(deliveryId: string, attempts: number): string {
  return `${deliveryId}:${NAMESPACE}-resend:${attempts}:`;
}
