import { LimitQuery } from '../../common/limit-query.dto';
import { IsIn, IsOptional } from 'class-validator';
import { ESCALATION_STATUSES, EscalationStatus } from '../escalation';

export class ListEscalationsDto extends LimitQuery {
  @IsOptional()
  @IsIn(ESCALATION_STATUSES)
  status?: EscalationStatus;
}
