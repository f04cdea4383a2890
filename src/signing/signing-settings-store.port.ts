import type { EncryptedSecret } from './secret-cipher';

export const SIGNING_SCHEMES = ['standard-webhooks', 'hmac-sha256', 'stripe-style'] as const;
export type SigningScheme = (typeof SIGNING_SCHEMES)[number];

/** What the API shows: never the secret. */
export interface SigningSettingsView {
  tenant_id: string;
  endpoint: string;
  scheme: SigningScheme;
  /** The signature header (hmac-sha256, stripe-style); null: the scheme's own. */
  header: string | null;
  /** hmac-sha256's value prefix; null: `sha256=`. */
  prefix: string | null;
  key_id: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
}

export interface StoredSigningSettings extends SigningSettingsView {
  secret: EncryptedSecret;
}

export interface SigningSettingsWrite {
  tenant_id: string;
  endpoint: string;
  scheme: SigningScheme;
  header: string | null;
  prefix: string | null;
  secret: EncryptedSecret;
  by: string;
  now: Date;
}

export interface SigningSettingsFilter {
  tenant_id?: string;
  /** A caller's scope; undefined means every tenant. */
  tenant_ids?: readonly string[];
  endpoint?: string;
}

/** Per tenant+endpoint. Secrets come and go encrypted: the store never sees a key. */
export abstract class SigningSettingsStore {
  /** Creates or replaces; created_at is kept on a replace. */
  abstract put(write: SigningSettingsWrite): Promise<StoredSigningSettings>;
  abstract get(tenantId: string, endpoint: string): Promise<StoredSigningSettings | null>;
  /** By tenant, then endpoint. */
  abstract list(filter: SigningSettingsFilter): Promise<StoredSigningSettings[]>;
  abstract delete(tenantId: string, endpoint: string): Promise<boolean>;
  /** How many rows each key id encrypts. */
  abstract keyUsage(): Promise<Map<string, number>>;
  /** At most `limit` rows whose secret is not under `keyId`, for re-encryption. */
  abstract notUnderKey(keyId: string, limit: number): Promise<StoredSigningSettings[]>;
  /** Swaps the secret only while it is still `from` (a concurrent PUT wins); says whether it did. */
  abstract replaceSecret(tenantId: string, endpoint: string, from: EncryptedSecret, to: EncryptedSecret): Promise<boolean>;
}

export function toSigningView(stored: StoredSigningSettings): SigningSettingsView {
  const { secret, ...view } = stored;
  return { ...view, key_id: secret.keyId };
}
