/** What stays of an error message once what varies between occurrences is stripped: the key silences match on. */
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  // ISO 8601 / RFC 3339 and the common log spellings, with or without time, fraction and offset.
  [/\b\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?\b/gi, '<ts>'],
  [/\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, '<ts>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}\b/g, '<ip>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  // A run of 8+ hex characters with at least one digit and one letter (hashes, trace ids); plain words and numbers stay.
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>'],
  // Identifiers with a digit in them: dlv_123, evt-9f2k, order/42abc.
  [/\b(?=[a-z0-9_-]*\d)[a-z][a-z0-9]*[_-][a-z0-9_-]+\b/gi, '<id>'],
  // Numbers, units attached or not (3012ms), but not inside a word (http2).
  [/(?<![a-z_])\d+(?:\.\d+)?/gi, '<n>'],
];

export function errorSignature(message: string | null | undefined): string {
  let text = (message ?? '').trim();
  for (const [pattern, replacement] of RULES) text = text.replace(pattern, replacement);
  return text.replace(/\s+/g, ' ').trim().toLowerCase() || '<empty>';
}

export interface ErrorSignatureShare {
  signature: string;
  /** Failures with it, of `sampled`. */
  count: number;
  sampled: number;
  share: number;
}

/** The most shared signature (ties: alphabetical); null without messages. */
export function dominantSignature(messages: ReadonlyArray<string | null>): ErrorSignatureShare | null {
  if (messages.length === 0) return null;
  const counts = new Map<string, number>();
  for (const message of messages) {
    const signature = errorSignature(message);
    counts.set(signature, (counts.get(signature) ?? 0) + 1);
  }
  const [signature, count] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  return { signature, count, sampled: messages.length, share: Math.round((count / messages.length) * 1000) / 1000 };
}
