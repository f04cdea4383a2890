import { ValidateBy } from 'class-validator';

export const MAX_URL_LENGTH = 2048;
// WHATWG URL parsing silently drops tabs and newlines and trims spaces; a target is kept as written.
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const CONTROL_OR_EDGE_SPACE = /[\u0000-\u001f\u007f]|^\s|\s$/;

export type WebhookUrlCheck = { ok: true; url: URL } | { ok: false; problem: string };

/**
 * The one rule for ingest, API parameters and the replayer. `problem` completes a sentence that starts
 * with the value, e.g. `"/hook" is not ...`.
 */
export function checkWebhookUrl(value: unknown): WebhookUrlCheck {
  if (typeof value !== 'string') return { ok: false, problem: 'must be a string holding an absolute http or https URL' };
  if (value.length > MAX_URL_LENGTH) return { ok: false, problem: `must be at most ${MAX_URL_LENGTH} characters` };
  if (CONTROL_OR_EDGE_SPACE.test(value)) {
    return { ok: false, problem: 'must not contain control characters (such as NUL) or surrounding spaces' };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, problem: 'is not a valid URL: not an absolute URL (expected e.g. https://api.example.com/webhook)' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const scheme = url.protocol.replace(/:$/, '');
    return { ok: false, problem: `must be an http or https URL (scheme "${scheme}" is not allowed; only http and https are)` };
  }
  if (url.hostname === '') return { ok: false, problem: 'has no host' };
  return { ok: true, url };
}

export const isWebhookUrl = (value: unknown): boolean => checkWebhookUrl(value).ok;

/** Kept as written: incidents group deliveries by this exact string. */
export const IsWebhookUrl = () =>
  ValidateBy(
    { name: 'isWebhookUrl', validator: { validate: isWebhookUrl } },
    { message: `must be an absolute http or https URL (at most ${MAX_URL_LENGTH} characters)` },
  );
