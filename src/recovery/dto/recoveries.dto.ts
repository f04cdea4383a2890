import { ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsISO8601, IsOptional } from 'class-validator';
import { LimitQuery } from '../../common/limit-query.dto';
import { IsWebhookUrl } from '../../common/webhook-url';
import { IsText } from '../../deliveries/dto/field-validators';
import { FAILED_STATUSES } from '../../deliveries/delivery.constants';
import type { DeliveryStatus } from '../../deliveries/delivery.constants';
import { TRIAGE_LABELS } from '../../triage/triage';
import { RECOVERY_STATES, RecoveryState } from '../recovery';

const ISO_DATE = { message: 'must be an ISO 8601 date, e.g. 2025-01-23T12:34:56Z' };

/** `POST /autoheal/recoveries`: which failed deliveries of one tenant to send again. */
export class CreateRecoveryBody {
  @IsText(1, 200)
  tenant_id!: string;

  @IsOptional()
  @IsWebhookUrl()
  endpoint?: string;

  @IsISO8601({ strict: true, strictSeparator: true }, ISO_DATE)
  since!: string;

  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, ISO_DATE)
  until?: string;

  @IsOptional()
  @IsArray({ message: 'must be an array' })
  @ArrayMinSize(1, { message: 'must not be empty' })
  @ArrayUnique({ message: 'must not repeat a value' })
  @IsIn(FAILED_STATUSES, { each: true, message: `each must be one of: ${FAILED_STATUSES.join(', ')}` })
  statuses?: DeliveryStatus[];

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(TRIAGE_LABELS, { each: true, message: `each must be one of: ${TRIAGE_LABELS.join(', ')}` })
  triage_labels?: string[];

  @IsOptional()
  @IsBoolean({ message: 'must be a boolean' })
  dry_run?: boolean;
}

export class ListRecoveriesQuery extends LimitQuery {
  @IsOptional()
  @IsText(1, 200)
  tenant_id?: string;

  @IsOptional()
  @IsIn(RECOVERY_STATES, { message: `must be one of: ${RECOVERY_STATES.join(', ')}` })
  state?: RecoveryState;
}
