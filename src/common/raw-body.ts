import type { RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';

/** Both the service and the e2e tests create the app with these (the parsers then keep `req.rawBody`). */
export const RAW_BODY_APP_OPTIONS = { rawBody: true } as const;

/**
 * The JSON body's bytes as the parser read them. For JSON bodies only (a form body decodes %00 without any
 * escape); undefined when no JSON parser kept them (no body, another type, or an app created without
 * RAW_BODY_APP_OPTIONS).
 */
export function rawJsonBody(req: Request): Buffer | undefined {
  const raw = (req as RawBodyRequest<Request>).rawBody;
  return raw === undefined || !req.is('application/json') ? undefined : raw;
}

/**
 * Without a `\u` escape a parsed JSON string holds neither NUL (a raw control character is a syntax error)
 * nor an unpaired surrogate (UTF-8 decoding turns such bytes into U+FFFD).
 */
export const hasUnicodeEscapes = (raw: Buffer): boolean => raw.includes('\\u');
