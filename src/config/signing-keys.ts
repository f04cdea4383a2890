/** One key of `SIGNING_KEYS`, which encrypts endpoints' signing secrets at rest (src/signing). */
export interface SigningKey {
  id: string;
  key: Buffer;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const KEY_BYTES = 32;
// 32 random bytes hold ~30 distinct values; under 16 is a pattern, not randomness.
const MIN_DISTINCT_BYTES = 16;
export const SIGNING_KEYS_ADVICE = 'e.g. SIGNING_KEYS="k1:$(openssl rand -base64 32)"';

/**
 * `SIGNING_KEYS`: comma-separated `<key id>:<base64 of 32 random bytes>`; the first is current (new writes),
 * the others only decrypt rows written under them until they are re-encrypted. A string is the problem.
 */
export function parseSigningKeys(value: string): SigningKey[] | string {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return `no key given; ${SIGNING_KEYS_ADVICE}`;
  const keys: SigningKey[] = [];
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    const encoded = colon < 0 ? '' : entry.slice(colon + 1);
    if (!KEY_ID.test(id)) return `entry ${index + 1} must be <key id>:<base64 key>, the id of 1 to 64 letters, digits, ".", "_" or "-"`;
    if (keys.some((key) => key.id === id)) return `key id "${id}" appears twice`;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return `key "${id}" is not base64`;
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== KEY_BYTES)
      return `key "${id}" is ${key.length} bytes; AES-256 needs exactly ${KEY_BYTES} random bytes (${SIGNING_KEYS_ADVICE})`;
    if (new Set(key).size < MIN_DISTINCT_BYTES) return `key "${id}" is too weak (a pattern, not random bytes); ${SIGNING_KEYS_ADVICE}`;
    keys.push({ id, key });
  }
  return keys;
}
