import { Type } from 'class-transformer';
import { IsDateString, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';

export class SetMaintenanceBody {
  @IsString()
  @MaxLength(2048)
  endpoint: string;

  /** Either how long … */
  @ValidateIf((body: SetMaintenanceBody) => body.until === undefined)
  @Type(() => Number)
  @IsInt({ message: 'minutes must be an integer between 1 and 10080 (or give until)' })
  @Min(1, { message: 'minutes must be an integer between 1 and 10080 (or give until)' })
  @Max(10080, { message: 'minutes must be an integer between 1 and 10080 (or give until)' })
  minutes?: number;

  /** … or until when (ISO 8601). */
  @IsOptional()
  @IsDateString({}, { message: 'until must be an ISO 8601 date-time' })
  until?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
