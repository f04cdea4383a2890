import { HttpStatus } from '@nestjs/common';
import type { TenantScope } from '../auth/tenant-scope';
import { Clock } from '../clock/clock';
import { DomainError, NotFoundError } from '../common/domain-error';
import { assertEndpointUrl } from '../common/endpoint-param';
import { isHeaderName, isHeaderValue } from '../common/http-header';
import type { PutSigningBody } from './dto/signing.dto';
import { SecretCipher, secretContext, SigningNotConfiguredError } from './secret-cipher';
import { secretProblem } from './signature-schemes';
import { SigningSettingsCache } from './signing-settings-cache';
import { SigningSettingsStore, SigningSettingsView, toSigningView } from './signing-settings-store.port';

// The replayer sets or drops these itself.
const RESERVED_HEADERS = new Set([
  'host',
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'user-agent',
  'idempotency-key',
  'x-aetherlink-replay',
  'x-aetherlink-delivery-id',
  'webhook-id',
  'webhook-timestamp',
]);
const REENCRYPT_BATCH = 100;

export interface ReencryptResult {
  key_id: string;
  reencrypted: number;
  /** Rows under a key SIGNING_KEYS no longer holds (or altered): left as they are. */
  unreadable: Array<{ tenant_id: string; endpoint: string; key_id: string }>;
}

/**
 * The API's side of signing settings; the replayer's side is ReplaySigner. Every change invalidates ReplaySigner's
 * cached entry once it is stored, so this instance's next send uses it.
 */
export class EndpointSigning {
  constructor(
    private readonly store: SigningSettingsStore,
    private readonly cipher: SecretCipher | null,
    private readonly clock: Clock,
    private readonly cache: SigningSettingsCache,
  ) {}

  async put(body: PutSigningBody, scope: TenantScope, by: string): Promise<SigningSettingsView> {
    scope.assert(body.tenant_id);
    const endpoint = assertEndpointUrl(body.endpoint);
    const { header, prefix } = this.checkOptions(body);
    const problem = secretProblem(body.scheme, body.secret);
    if (problem) throw new DomainError('invalid_secret', problem);
    if (!this.cipher) throw new SigningNotConfiguredError();
    const stored = await this.store.put({
      tenant_id: body.tenant_id,
      endpoint,
      scheme: body.scheme,
      header,
      prefix,
      secret: this.cipher.encrypt(body.secret, secretContext(body.tenant_id, endpoint)),
      by,
      now: this.clock.now(),
    });
    this.cache.invalidate(body.tenant_id, endpoint);
    return toSigningView(stored);
  }

  async list(filter: { tenant_id?: string; endpoint?: string }, scope: TenantScope): Promise<SigningSettingsView[]> {
    const rows = await this.store.list({ ...filter, tenant_ids: scope.filter() });
    return rows.map(toSigningView);
  }

  async delete(tenantId: string | undefined, endpoint: string | undefined, scope: TenantScope): Promise<void> {
    if (tenantId === undefined || endpoint === undefined) {
      throw new DomainError('invalid_query', 'tenant_id and endpoint are both required: the settings of which tenant+endpoint to delete');
    }
    scope.assert(tenantId);
    const deleted = await this.store.delete(tenantId, endpoint);
    this.cache.invalidate(tenantId, endpoint);
    if (!deleted) throw new NotFoundError('Signing settings for', `${tenantId} ${endpoint}`);
  }

  /** Moves every secret under the current key; safe to run again, and beside PUTs (a PUT in between wins). */
  async reencrypt(scope: TenantScope): Promise<ReencryptResult> {
    scope.assertPlatformWide("POST /autoheal/endpoints/signing/reencrypt is platform-wide: it rewrites every tenant's secrets");
    if (!this.cipher) throw new SigningNotConfiguredError();
    const cipher = this.cipher;
    const result: ReencryptResult = { key_id: cipher.currentKeyId, reencrypted: 0, unreadable: [] };
    const skipped = new Set<string>();
    for (;;) {
      const batch = (await this.store.notUnderKey(cipher.currentKeyId, REENCRYPT_BATCH + skipped.size)).filter(
        (row) => !skipped.has(JSON.stringify([row.tenant_id, row.endpoint])),
      );
      if (batch.length === 0) return result;
      for (const row of batch) {
        const context = secretContext(row.tenant_id, row.endpoint);
        let secret: string;
        try {
          secret = cipher.decrypt(row.secret, context);
        } catch {
          skipped.add(JSON.stringify([row.tenant_id, row.endpoint]));
          result.unreadable.push({ tenant_id: row.tenant_id, endpoint: row.endpoint, key_id: row.secret.keyId });
          continue;
        }
        if (await this.store.replaceSecret(row.tenant_id, row.endpoint, row.secret, cipher.encrypt(secret, context))) {
          this.cache.invalidate(row.tenant_id, row.endpoint);
          result.reencrypted++;
        }
      }
    }
  }

  private checkOptions(body: PutSigningBody): { header: string | null; prefix: string | null } {
    if (body.scheme === 'standard-webhooks' && body.header !== undefined) {
      throw new DomainError(
        'invalid_header',
        'header: standard-webhooks always signs in webhook-id, webhook-timestamp and webhook-signature',
      );
    }
    if (body.scheme !== 'hmac-sha256' && body.prefix !== undefined) {
      throw new DomainError('invalid_prefix', `prefix: only for hmac-sha256 (${body.scheme} has a fixed format)`);
    }
    const header = body.header?.toLowerCase() ?? null;
    if (header !== null && (!isHeaderName(header) || RESERVED_HEADERS.has(header) || header.startsWith('x-aetherlink-'))) {
      throw new DomainError(
        'invalid_header',
        `header: "${body.header}" must be an HTTP header name the replayer does not set itself (e.g. X-Signature-256)`,
        HttpStatus.BAD_REQUEST,
      );
    }
    if (body.prefix !== undefined && !isHeaderValue(body.prefix)) {
      throw new DomainError('invalid_prefix', 'prefix: may hold only visible ASCII, space and tab');
    }
    return { header, prefix: body.prefix ?? null };
  }
}
