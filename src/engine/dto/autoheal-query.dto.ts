import { LimitQuery } from '../../common/limit-query.dto';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsDateString, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';

/** `true`/`false` only: `dry_run=maybe` is a 400, not a silent live run. */
const strictBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class RunCycleQuery {
  @IsOptional()
  @Transform(strictBoolean)
  @IsBoolean({ message: 'dry_run must be true or false' })
  dry_run?: boolean;
}

export class HistoryQuery extends LimitQuery {}

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

export class SetControlsBody {
  /** false = kill switch on; null = back to the rules file. */
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsBoolean()
  autoheal_enabled?: boolean | null;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsBoolean()
  dry_run?: boolean | null;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
