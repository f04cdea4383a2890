import { Allow, IsIn, IsISO8601, isISO8601, IsOptional, IsString, ValidateBy } from 'class-validator';
import { CONTENT_TYPE_MESSAGE, isContentType } from '../delivery-body';
import { DELIVERY_STATUSES, DeliveryStatus } from '../delivery.constants';
import { headersProblem, IsHeaderMap } from '../../common/http-header';
import { isWebhookUrl, IsWebhookUrl } from '../../common/webhook-url';
import { isIntegerBetween, IsIntegerBetween, isText, IsText } from './field-validators';

const MAX_NAME = 200;
const MAX_ERROR = 10_000;
const HTTP_STATUS = [100, 599] as const;
const ISO_DATE_OPTIONS = { strict: true, strictSeparator: true };
const ISO_DATE = { message: 'must be an ISO 8601 date, e.g. 2025-01-23T12:34:56Z' };

/** Dates stay strings here; the batch pipe turns them into Dates. */
export class DeliveryOutcomeDto {
  @IsText(1, MAX_NAME)
  id: string;

  @IsText(1, MAX_NAME)
  tenant_id: string;

  @IsWebhookUrl()
  target: string;

  @IsIn(DELIVERY_STATUSES, { message: `must be one of: ${DELIVERY_STATUSES.join(', ')}` })
  status: DeliveryStatus;

  @IsOptional()
  @IsIntegerBetween(...HTTP_STATUS)
  http_status?: number | null;

  @IsOptional()
  @IsText(0, MAX_ERROR)
  error?: string | null;

  @IsOptional()
  @IsText(1, MAX_NAME)
  event_type?: string | null;

  /** An explicit null is stored as null, a missing payload keeps the stored one. */
  @Allow()
  payload?: unknown;

  /** The request body exactly as the dispatcher sent it; replays send these bytes. Needs `content_type`. */
  @IsOptional()
  @IsString({ message: 'must be a string (the request body exactly as sent)' })
  body?: string | null;

  @IsOptional()
  @ValidateBy({ name: 'isContentType', validator: { validate: isContentType } }, { message: CONTENT_TYPE_MESSAGE })
  content_type?: string | null;

  @IsOptional()
  @IsHeaderMap()
  headers?: Record<string, string> | null;

  @IsOptional()
  @IsISO8601(ISO_DATE_OPTIONS, ISO_DATE)
  created_at?: string;

  @IsOptional()
  @IsISO8601(ISO_DATE_OPTIONS, ISO_DATE)
  attempted_at?: string;
}

const FIELDS: ReadonlySet<string> = new Set([
  'id',
  'tenant_id',
  'target',
  'status',
  'http_status',
  'error',
  'event_type',
  'payload',
  'body',
  'content_type',
  'headers',
  'created_at',
  'attempted_at',
]);
const STATUSES: ReadonlySet<unknown> = new Set(DELIVERY_STATUSES);
const absent = (value: unknown) => value === undefined || value === null;

// The form dispatchers send (RFC 3339), a subset of what IsISO8601 accepts; anything else is left to it.
const RFC3339 = new RegExp(
  String.raw`^([1-9]\d{3})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])` +
    String.raw`T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$`,
);
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Skips isISO8601's costlier general pattern for the usual form. */
function isIsoDate(value: unknown): boolean {
  const match = typeof value === 'string' ? RFC3339.exec(value) : null;
  if (!match) return isISO8601(value, ISO_DATE_OPTIONS);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

/**
 * The decorators above, written out for the 1000-item hot path (class-validator costs ~100 µs an item). It may
 * refuse more than the DTO, never less; delivery-outcome.dto.spec.ts runs both on the same inputs.
 */
export function passesDeliveryOutcomeDto(raw: Record<string, unknown>): boolean {
  const { id, tenant_id, target, status, http_status, error, event_type, body, content_type, headers, created_at, attempted_at } = raw;
  return (
    Object.keys(raw).every((key) => FIELDS.has(key)) &&
    isText(id, 1, MAX_NAME) &&
    isText(tenant_id, 1, MAX_NAME) &&
    isWebhookUrl(target) &&
    STATUSES.has(status) &&
    (absent(http_status) || isIntegerBetween(http_status, ...HTTP_STATUS)) &&
    (absent(error) || isText(error, 0, MAX_ERROR)) &&
    (absent(event_type) || isText(event_type, 1, MAX_NAME)) &&
    (absent(body) || typeof body === 'string') &&
    (absent(content_type) || isContentType(content_type)) &&
    (absent(headers) || headersProblem(headers) === null) &&
    (absent(created_at) || isIsoDate(created_at)) &&
    (absent(attempted_at) || isIsoDate(attempted_at))
  );
}
