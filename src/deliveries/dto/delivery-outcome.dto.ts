import { Allow, IsIn, IsISO8601, IsOptional } from 'class-validator';
import { DELIVERY_STATUSES, DeliveryStatus } from '../delivery.constants';
import { IsHeaderMap } from '../../common/http-header';
import { IsWebhookUrl } from '../../common/webhook-url';
import { IsIntegerBetween, IsText } from './field-validators';

const ISO_DATE = { message: 'must be an ISO 8601 date, e.g. 2025-01-23T12:34:56Z' };

/** One item of `POST /deliveries`. Dates stay strings here; the batch pipe turns them into Dates. */
export class DeliveryOutcomeDto {
  @IsText(1, 200)
  id: string;

  @IsText(1, 200)
  tenant_id: string;

  @IsWebhookUrl()
  target: string;

  @IsIn(DELIVERY_STATUSES, { message: `must be one of: ${DELIVERY_STATUSES.join(', ')}` })
  status: DeliveryStatus;

  @IsOptional()
  @IsIntegerBetween(100, 599)
  http_status?: number | null;

  @IsOptional()
  @IsText(0, 10_000)
  error?: string | null;

  @IsOptional()
  @IsText(1, 200)
  event_type?: string | null;

  /** Any JSON; an explicit null is stored as null, a missing payload keeps the stored one. */
  @Allow()
  payload?: unknown;

  @IsOptional()
  @IsHeaderMap()
  headers?: Record<string, string> | null;

  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, ISO_DATE)
  created_at?: string;

  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, ISO_DATE)
  attempted_at?: string;
}
