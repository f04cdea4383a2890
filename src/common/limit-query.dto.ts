import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

const LIMIT_MESSAGE = 'limit must be an integer between 1 and 1000';

/** Extend it for the rest of a list query. */
export class LimitQuery {
  // Explicit: the plugin would read the initializer's non-optional type as a required parameter.
  @ApiPropertyOptional({ type: Number, default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(1000, { message: LIMIT_MESSAGE })
  limit: number = 100;
}
