import {
  BadRequestException,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  PayloadTooLargeException,
  PipeTransform,
} from '@nestjs/common';
import type { Request } from 'express';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { rawJsonBody } from '../common/raw-body';
import { describeValidationErrors } from '../common/validation';
import type { DeliveryOutcome } from './delivery-store.port';
import type { DeliveryStatus } from './delivery.constants';
import { checkDeliveryContent, MAX_BODY_BYTES } from './delivery-body';
import { DeliveryOutcomeDto, passesDeliveryOutcomeDto } from './dto/delivery-outcome.dto';

export const MAX_BATCH_SIZE = 1000;
/** One delivery as JSON (payload, headers and all). */
export const MAX_DELIVERY_BYTES = 1024 * 1024;
const MAX_REPORTED_PROBLEMS = 20;
export const ITEM_VALIDATION = { whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: true };

/** The request body and the bytes it came as (undefined when no JSON parser read it). */
export interface SizedBody {
  body: unknown;
  bytes: number | undefined;
}

/** `@DeliveryBatchBody(DeliveryBatchPipe)`: the body with its size, for the pipe below. */
export const DeliveryBatchBody = createParamDecorator((_data: unknown, context: ExecutionContext): SizedBody => {
  const request = context.switchToHttp().getRequest<Request>();
  return { body: request.body, bytes: rawJsonBody(request)?.length };
});

/** The global ValidationPipe does not look inside arrays; NUL, surrogates and depth were refused before (input limits). */
@Injectable()
export class DeliveryBatchPipe implements PipeTransform<SizedBody, DeliveryOutcome[]> {
  transform({ body, bytes }: SizedBody): DeliveryOutcome[] {
    if (!Array.isArray(body)) throw new BadRequestException('Request body must be a JSON array of delivery outcomes');
    if (body.length === 0) throw new BadRequestException('Request body is an empty array; send 1 to 1000 delivery outcomes');
    if (body.length > MAX_BATCH_SIZE) {
      throw new BadRequestException(`Request body holds ${body.length} delivery outcomes; send at most ${MAX_BATCH_SIZE} per request`);
    }
    // A body no bigger than one delivery's limit holds no delivery above it: the usual batch skips re-serialising.
    if (bytes === undefined || bytes > MAX_DELIVERY_BYTES) body.forEach(assertDeliverySize);
    const problems: string[] = [];
    const items = body.map((raw: unknown, index) => {
      const found = isObject(raw) && passesDeliveryOutcomeDto(raw) ? [] : problemsOf(raw, index);
      const outcome = found.length === 0 ? toOutcome(raw as Record<string, unknown>) : null;
      if (outcome) found.push(...unreadableDates(outcome, index), ...contentProblems(outcome, index));
      problems.push(...found);
      return outcome;
    });
    if (problems.length > 0) throw new BadRequestException(summarise(problems));
    return items as DeliveryOutcome[];
  }
}

const isObject = (raw: unknown): raw is Record<string, unknown> => typeof raw === 'object' && raw !== null && !Array.isArray(raw);

function problemsOf(raw: unknown, index: number): string[] {
  if (!isObject(raw)) return [`[${index}]: must be a JSON object`];
  const dto = plainToInstance(DeliveryOutcomeDto, raw);
  const errors = validateSync(dto, ITEM_VALIDATION);
  return describeValidationErrors(errors, `[${index}]`);
}

function assertDeliverySize(raw: unknown, index: number): void {
  const body = isObject(raw) ? raw.body : undefined;
  if (typeof body === 'string' && body.length > MAX_BODY_BYTES / 3) {
    const check = checkDeliveryContent({ body, content_type: 'text/plain' }, `[${index}]`);
    if (!check.ok && check.tooLarge) throw new PayloadTooLargeException(check.problem);
  }
  const bytes = Buffer.byteLength(JSON.stringify(raw) ?? '');
  if (bytes > MAX_DELIVERY_BYTES) {
    throw new PayloadTooLargeException(`[${index}]: delivery is ${bytes} bytes; at most ${MAX_DELIVERY_BYTES} bytes (1 MB) per delivery`);
  }
}

/** Absent fields stay undefined: the store keeps what it has for them. */
function toOutcome(raw: Record<string, unknown>): DeliveryOutcome {
  const { created_at, attempted_at } = raw as Pick<DeliveryOutcomeDto, 'created_at' | 'attempted_at'>;
  return {
    id: raw.id as string,
    tenant_id: raw.tenant_id as string,
    target: raw.target as string,
    status: raw.status as DeliveryStatus,
    http_status: raw.http_status as number | null | undefined,
    error: raw.error as string | null | undefined,
    event_type: raw.event_type as string | null | undefined,
    payload: raw.payload,
    body: raw.body as string | null | undefined,
    content_type: raw.content_type as string | null | undefined,
    headers: raw.headers as Record<string, string> | null | undefined,
    created_at: created_at == null ? undefined : new Date(created_at),
    attempted_at: attempted_at == null ? undefined : new Date(attempted_at),
  };
}

/** Sets the payload a body derives (its JSON, or null), so the store replaces body and payload together. */
function contentProblems(outcome: DeliveryOutcome, index: number): string[] {
  if (outcome.body == null && outcome.content_type == null) return [];
  const check = checkDeliveryContent(outcome, `[${index}]`);
  if (!check.ok) return [check.problem];
  outcome.payload = check.payload;
  return [];
}

const UNREADABLE_DATE = 'must be a calendar date and time, e.g. 2025-01-23T12:34:56Z (week and ordinal dates are not accepted)';

// IsISO8601 also passes week and ordinal dates (2025-W18-3, 2025-120), which Date cannot read.
function unreadableDates(outcome: DeliveryOutcome, index: number): string[] {
  return (['created_at', 'attempted_at'] as const)
    .filter((field) => outcome[field] !== undefined && Number.isNaN(outcome[field].getTime()))
    .map((field) => `[${index}].${field}: ${UNREADABLE_DATE}`);
}

function summarise(problems: string[]): string {
  const shown = problems.slice(0, MAX_REPORTED_PROBLEMS);
  const more = problems.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; … and ${more} more` : shown.join('; ');
}
