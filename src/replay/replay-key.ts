// Stored in delivery_attempts.replay_key, so the format outlives any rename: a claim written
// before a change must still block the attempt it claimed.
const NAMESPACE = 'autoheal';

/** Racing instances compute the same key, so only one claim wins; a settled replay moves the counter on. */
export function replayKeyFor(deliveryId: string, attempts: number): string {
  return `${deliveryId}:${NAMESPACE}:${attempts}`;
}

export function replayKeySql(deliveryIdColumn: string, attemptsColumn: string): string {
  return `${deliveryIdColumn} || ':${NAMESPACE}:' || ${attemptsColumn}`;
}

/** Used when the automatic key of that counter is taken by an abandoned send; racing operators compute the same key. */
export function resendKeyFor(deliveryId: string, attempts: number, n: number): string {
  return `${resendKeyPrefix(deliveryId, attempts)}${n}`;
}

export function resendKeyPrefix(deliveryId: string, attempts: number): string {
  return `${deliveryId}:${NAMESPACE}-resend:${attempts}:`;
}
