import { Clock } from '../clock/clock';
import { SecretCipher, secretContext } from './secret-cipher';
import { signatureHeaders, STALE_SIGNATURE_HEADERS } from './signature-schemes';
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
 */
export class ReplaySigner {
  constructor(
    private readonly store: SigningSettingsStore,
    private readonly cipher: SecretCipher | null,
    private readonly clock: Clock,
  ) {}

  async sign(req: SignRequest): Promise<ReplaySignature | null> {
    const settings = await this.store.get(req.tenantId, req.target);
    if (!settings) return null;
    if (!this.cipher) throw new Error('SIGNING_KEYS is not set, so the secret cannot be decrypted');
    const secret = this.cipher.decrypt(settings.secret, secretContext(settings.tenant_id, settings.endpoint));
    const headers = signatureHeaders({
      scheme: settings.scheme,
      secret,
      header: settings.header,
      prefix: settings.prefix,
      messageId: originalMessageId(req.storedHeaders) ?? req.deliveryId,
      timestamp: this.clock.now(),
      body: req.body,
    });
    return { drop: new Set([...STALE_SIGNATURE_HEADERS, ...Object.keys(headers)]), headers };
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
