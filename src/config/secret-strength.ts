export const MIN_SECRET_LENGTH = 32;
const MIN_BITS_PER_CHAR = 3;
const MIN_DISTINCT_CHARS = 10;

/** Published values (ours and the usual placeholders); a secret containing one is not a secret. */
const PLACEHOLDERS = [
  'aetherlink-dev-only',
  'changeme',
  'change-me',
  'change_me',
  'secret',
  'password',
  'example',
  'placeholder',
  'your-',
  'replace',
];

export const SECRET_ADVICE = 'generate one with `openssl rand -base64 48`';

/**
 * Per-character Shannon entropy of the secret itself: a random string of 32+ characters clears it easily,
 * a short, repetitive, sequential or placeholder-like one does not.
 */
export function weakSecretReason(secret: string): string | null {
  if (secret.length < MIN_SECRET_LENGTH) return `is ${secret.length} characters long`;
  const lower = secret.toLowerCase();
  const placeholder = PLACEHOLDERS.find((word) => lower.includes(word));
  if (placeholder) return `contains "${placeholder}", which marks a published or placeholder value`;
  if (new Set(secret).size < MIN_DISTINCT_CHARS) return `uses only ${new Set(secret).size} distinct characters`;
  const bits = shannonBitsPerChar(secret);
  if (bits < MIN_BITS_PER_CHAR) return `has ${bits.toFixed(1)} bits of entropy per character (random text has ${MIN_BITS_PER_CHAR}+)`;
  if (isRepetition(secret)) return 'repeats a shorter string';
  if (isMostlySequential(secret)) return 'is mostly a run of neighbouring characters (like "abcd" or "1234")';
  return null;
}

function shannonBitsPerChar(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function isRepetition(text: string): boolean {
  return (text + text).indexOf(text, 1) < text.length;
}

function isMostlySequential(text: string): boolean {
  let neighbours = 0;
  for (let i = 1; i < text.length; i++) if (Math.abs(text.charCodeAt(i) - text.charCodeAt(i - 1)) <= 1) neighbours++;
  return neighbours >= (text.length - 1) / 2;
}
