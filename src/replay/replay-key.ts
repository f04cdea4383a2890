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
