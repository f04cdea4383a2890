import { IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { SIGNING_SCHEMES, SigningScheme } from '../signing-settings-store.port';

export class PutSigningBody {
  @IsString()
  @Length(1, 200)
  tenant_id: string;

  @IsString()
  @MaxLength(2048)
  endpoint: string;

  @IsIn(SIGNING_SCHEMES, { message: `scheme must be one of: ${SIGNING_SCHEMES.join(', ')}` })
  scheme: SigningScheme;

  /** Write-only: stored encrypted, never returned. */
  @IsString()
  @Length(1, 1024, { message: 'secret must be a string of 1 to 1024 characters' })
  secret: string;

  /** hmac-sha256 (default X-Hub-Signature-256) and stripe-style (default Stripe-Signature) only. */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  header?: string;

  /** hmac-sha256 only; default `sha256=`. May be empty. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  prefix?: string;
}

/** Selects one tenant+endpoint (DELETE) or filters the list (GET). */
export class SigningQuery {
  @IsOptional()
  @IsString()
  @Length(1, 200)
  tenant_id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2048)
  endpoint?: string;
}
