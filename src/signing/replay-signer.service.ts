import { Clock } from '../clock/clock';
import { SecretCipher, secretContext } from './secret-cipher';
import { signatureHeaders, STALE_SIGNATURE_HEADERS } from './signature-schemes';
import { SigningSettingsCache, UsableSigningSettings } from './signing-settings-cache';
import { SigningSettingsStore } from './signing-settings-store.port';

export interface SignRequest {
  tenantId: string;
  target: string;
  deliveryId: string;
  /** The exact bytes about to be sent. */
  body: string;
  storedHeaders: Record<string, unknown> | null;
}

export interface ReplaySignature {
  /** Stored headers (lower case) to leave out. */
  drop: ReadonlySet<string>;
  headers: Record<string, string>;
}

/**
 * Re-signs a replay for an endpoint with signing settings, with a fresh timestamp. Null: no settings, the stored
 * headers go as they are. Throws when the settings exist but cannot be used: a replay is then not sent unsigned.
 * The settings come from the cache: a drain to one endpoint reads and decrypts them once per TTL, not once per send.
 */
export class ReplaySigner {
  constructor(
    private readonly store: SigningSettingsStore,
    private readonly cipher: SecretCipher | null,
    private readonly clock: Clock,
    private readonly cache: SigningSettingsCache,
  ) {}

  async sign(req: SignRequest): Promise<ReplaySignature | null> {
    const settings = await this.cache.get(req.tenantId, req.target, () => this.load(req.tenantId, req.target));
    if (!settings) return null;
    const headers = signatureHeaders({
      scheme: settings.scheme,
      secret: settings.secret,
      header: settings.header,
      prefix: settings.prefix,
      messageId: originalMessageId(req.storedHeaders) ?? req.deliveryId,
      timestamp: this.clock.now(),
      body: req.body,
    });
    return { drop: new Set([...STALE_SIGNATURE_HEADERS, ...Object.keys(headers)]), headers };
  }

  private async load(tenantId: string, endpoint: string): Promise<UsableSigningSettings | null> {
    const stored = await this.store.get(tenantId, endpoint);
    if (!stored) return null;
    if (!this.cipher) throw new Error('SIGNING_KEYS is not set, so the secret cannot be decrypted');
    const secret = this.cipher.decrypt(stored.secret, secretContext(stored.tenant_id, stored.endpoint));
    return { scheme: stored.scheme, header: stored.header, prefix: stored.prefix, secret };
  }
}

/** The id the receiver saw first (Standard Webhooks says retries keep it); else the delivery id. */
function originalMessageId(headers: Record<string, unknown> | null): string | null {
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if ((lower === 'webhook-id' || lower === 'svix-id') && typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return null;
}
