import type { ReencryptResult } from '../endpoint-signing.service';
import type { SigningScheme, SigningSettingsView } from '../signing-settings-store.port';
import type { SigningSettingsList } from '../signing.controller';

// Response models for the OpenAPI document; `implements` keeps them in step with what the service returns.

type UnreadableSecret = ReencryptResult['unreadable'][number];

/** How replays to one tenant's endpoint are signed. The secret is write-only: never answered. */
export class SigningSettingsDto implements SigningSettingsView {
  tenant_id: string;
  endpoint: string;
  scheme: SigningScheme;
  /** The signature header (hmac-sha256, stripe-style); null: the scheme's own. */
  header: string | null;
  /** hmac-sha256's value prefix; null: `sha256=`. */
  prefix: string | null;
  /** The SIGNING_KEYS key the secret is encrypted under. */
  key_id: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
}

export class SigningSettingsListDto implements SigningSettingsList {
  settings: SigningSettingsDto[];
}

/** A secret under a key SIGNING_KEYS no longer holds (or altered): left as it is. */
export class UnreadableSecretDto implements UnreadableSecret {
  tenant_id: string;
  endpoint: string;
  key_id: string;
}

export class ReencryptResultDto implements ReencryptResult {
  /** The key every readable secret is now encrypted under (the first of SIGNING_KEYS). */
  key_id: string;
  /** How many secrets were moved to it. */
  reencrypted: number;
  unreadable: UnreadableSecretDto[];
}
