import type { RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';

/** Both the service and the e2e tests create the app with these (the parsers then keep `req.rawBody`). */
export const RAW_BODY_APP_OPTIONS = { rawBody: true } as const;

/** What the body parser read before parsing: how many bytes came, and whether any `\u` escape was among them. */
export interface RawBodyFacts {
  bytes: number;
  escapes: boolean;
}

/**
 * For JSON bodies only (a form body decodes %00 without any escape); undefined when no JSON parser kept the
 * raw body (no body, another type, or an app created without RAW_BODY_APP_OPTIONS).
 * Without a `\u` escape a parsed JSON string holds neither NUL (a raw control character is a syntax error)
 * nor an unpaired surrogate (UTF-8 decoding turns such bytes into U+FFFD).
 */
export function rawBodyFacts(req: Request): RawBodyFacts | undefined {
  const raw = (req as RawBodyRequest<Request>).rawBody;
  if (raw === undefined || !req.is('application/json')) return undefined;
  return { bytes: raw.length, escapes: raw.includes('\\u') };
}
