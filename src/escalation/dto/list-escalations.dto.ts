import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ESCALATION_STATUSES, EscalationStatus } from '../escalation';

export class ListEscalationsDto {
  @IsOptional()
  @IsIn(ESCALATION_STATUSES)
  status?: EscalationStatus;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;
}
