import { IsBoolean, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';

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
