import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';

/** `true`/`false` only: `dry_run=maybe` is a 400, not a silent live run. */
const strictBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class RunCycleQuery {
  @IsOptional()
  @Transform(strictBoolean)
  @IsBoolean({ message: 'dry_run must be true or false' })
  dry_run?: boolean;
}
