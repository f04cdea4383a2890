const MAX_DEPTH = 2;
const MAX_KEYS = 20;
const MAX_STRING = 200;
const SECRET_KEY = /secret|token|password|passwd|authorization|cookie|api[-_]?key|signature/i;

/** Bounded and redacted: a batch of a thousand deliveries is recorded as `{ deliveries: { length: 1000 } }`. */
export function summarizeBody(body: unknown, depth = 0): unknown {
  if (body === null || body === undefined) return body ?? null;
  if (typeof body === 'string') return body.length > MAX_STRING ? `${body.slice(0, MAX_STRING)}…(${body.length} chars)` : body;
  if (typeof body === 'number' || typeof body === 'boolean') return body;
  if (Array.isArray(body)) return { length: body.length };
  if (typeof body !== 'object') return String(body);
  if (Buffer.isBuffer(body)) return { bytes: body.length };
  if (body instanceof Date) return body.toISOString();
  const keys = Object.keys(body);
  if (depth >= MAX_DEPTH) return { keys: keys.length };
  const summary: Record<string, unknown> = {};
  for (const key of keys.slice(0, MAX_KEYS)) {
    const value = (body as Record<string, unknown>)[key];
    summary[key] = SECRET_KEY.test(key) ? '[redacted]' : summarizeBody(value, depth + 1);
  }
  if (keys.length > MAX_KEYS) summary['…'] = `${keys.length - MAX_KEYS} more keys`;
  return summary;
}
