import { isDeepStrictEqual } from 'node:util';
import { isHeaderValue } from '../common/http-header';
import { jsonValueProblem } from '../common/input-limits.middleware';

/** The bytes of one delivery as the dispatcher sent them (UTF-8 text). */
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_CONTENT_TYPE = 255;
// RFC 9110 media type: type "/" subtype, then parameters.
const MEDIA_TYPE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*;.*)?$/;
const JSON_MEDIA_TYPE = /^(?:application|text)\/(?:[!#$%&'*.^_`|~0-9A-Za-z-]+\+)?json(?:[ \t]*;.*)?$/i;
/** A delivery's payload starts at this level of the request body (array → item → payload). */
const PAYLOAD_DEPTH = 2;

export const isContentType = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= MAX_CONTENT_TYPE && isHeaderValue(value) && MEDIA_TYPE.test(value);

export const isJsonContentType = (value: string): boolean => JSON_MEDIA_TYPE.test(value);

export const CONTENT_TYPE_MESSAGE =
  `must be a media type of at most ${MAX_CONTENT_TYPE} characters, ` + 'e.g. application/x-www-form-urlencoded';

export interface DeliveryContent {
  body?: unknown;
  content_type?: unknown;
  payload?: unknown;
}

export type BodyCheck = { ok: true; payload: unknown } | { ok: false; problem: string; tooLarge?: boolean };

/**
 * The cross-field rules of `body`, `content_type` and `payload` (each field's own type is the DTO's). For a body,
 * `payload` is what it derives: the parsed JSON of a JSON body, null otherwise; without one, the payload as given.
 */
export function checkDeliveryContent(item: DeliveryContent, where: string): BodyCheck {
  const { body, content_type: contentType, payload } = item;
  if (body === undefined || body === null) {
    if (typeof contentType === 'string' && payload === undefined) {
      return { ok: false, problem: `${where}.content_type: describes body (or payload); send it with the body it describes` };
    }
    if (typeof contentType === 'string' && !isJsonContentType(contentType)) {
      return {
        ok: false,
        problem:
          `${where}.content_type: "${contentType}" needs the bytes in body (a payload is sent as JSON); ` +
          'send body with the exact bytes, or leave content_type out',
      };
    }
    return { ok: true, payload };
  }
  if (typeof body !== 'string') return { ok: false, problem: `${where}.body: must be a string (the request body exactly as sent)` };
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_BODY_BYTES) {
    return { ok: false, tooLarge: true, problem: `${where}.body: is ${bytes} bytes; at most ${MAX_BODY_BYTES} bytes (1 MB) per body` };
  }
  if (typeof contentType !== 'string') {
    return {
      ok: false,
      problem: `${where}.content_type: required with body: the Content-Type the dispatcher sent, e.g. application/json or text/xml`,
    };
  }
  if (!isJsonContentType(contentType)) {
    if (payload !== undefined && payload !== null) {
      return {
        ok: false,
        problem: `${where}.payload: must be left out when body is not JSON (content_type "${contentType}"); body is what a replay sends`,
      };
    }
    return { ok: true, payload: null };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: `${where}.body: is not valid JSON (${reason}), but content_type is "${contentType}"` };
  }
  const hostile = jsonValueProblem(parsed, `${where}.body`, PAYLOAD_DEPTH);
  if (hostile) return { ok: false, problem: hostile };
  if (payload !== undefined && !isDeepStrictEqual(payload, parsed)) {
    return {
      ok: false,
      problem: `${where}.payload: differs from the JSON in body; send body alone (the payload is read from it) or a payload equal to it`,
    };
  }
  return { ok: true, payload: parsed };
}

/** Whether a report replaces what a replay sends (body, content type and payload go together). */
export const givesContent = (item: { payload?: unknown; body?: string | null }): boolean =>
  item.payload !== undefined || (item.body !== undefined && item.body !== null);
