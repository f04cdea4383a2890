import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

const MINUTES_MESSAGE = 'minutes must be an integer between 1 and 1440';
const BUCKET_MESSAGE = 'bucket_seconds must be an integer between 10 and 3600';

export class ActivityQuery {
  // Explicit: the plugin would read the initializer's non-optional type as a required parameter.
  @ApiPropertyOptional({ type: Number, default: 60, minimum: 1, maximum: 1440, description: 'How far back: the last `minutes` up to now.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: MINUTES_MESSAGE })
  @Min(1, { message: MINUTES_MESSAGE })
  @Max(1440, { message: MINUTES_MESSAGE })
  minutes: number = 60;

  @ApiPropertyOptional({ type: Number, default: 60, minimum: 10, maximum: 3600, description: 'The width of a bucket, in seconds.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: BUCKET_MESSAGE })
  @Min(10, { message: BUCKET_MESSAGE })
  @Max(3600, { message: BUCKET_MESSAGE })
  bucket_seconds: number = 60;
}
