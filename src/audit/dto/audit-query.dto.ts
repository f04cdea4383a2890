import { LimitQuery } from '../../common/limit-query.dto';
import { IsISO8601, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class AuditQueryDto extends LimitQuery {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  action?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  tenant_id?: string;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 timestamp, e.g. 2025-01-31T12:00:00Z' })
  since?: string;
}
