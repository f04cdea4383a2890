import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { DELIVERY_STATUSES, DeliveryStatus } from '../delivery.constants';
import { IsWebhookUrl } from '../../common/webhook-url';
import { IsIntegerBetween, IsText } from './field-validators';

export const DEFAULT_LIST_LIMIT = 100;

/** Combined with AND. */
export class ListDeliveriesQuery {
  @IsOptional()
  @IsText(1, 200)
  tenant_id?: string;

  @IsOptional()
  @IsWebhookUrl()
  target?: string;

  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `must be one of: ${DELIVERY_STATUSES.join(', ')}` })
  status?: DeliveryStatus;

  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'must be an ISO 8601 date, e.g. 2025-01-23T12:34:56Z' })
  since?: string;

  @ApiPropertyOptional({ type: Number, default: DEFAULT_LIST_LIMIT, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsIntegerBetween(1, 1000)
  limit: number = DEFAULT_LIST_LIMIT;
}
