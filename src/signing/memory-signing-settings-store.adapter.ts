import type { EncryptedSecret } from './secret-cipher';
import { SigningSettingsFilter, SigningSettingsStore, SigningSettingsWrite, StoredSigningSettings } from './signing-settings-store.port';

const keyOf = (tenantId: string, endpoint: string) => JSON.stringify([tenantId, endpoint]);
// structuredClone would turn the Buffers into plain Uint8Arrays.
const copySecret = (s: EncryptedSecret): EncryptedSecret => ({
  keyId: s.keyId,
  iv: Buffer.from(s.iv),
  tag: Buffer.from(s.tag),
  ciphertext: Buffer.from(s.ciphertext),
});
const copy = (s: StoredSigningSettings): StoredSigningSettings => ({
  ...s,
  created_at: new Date(s.created_at),
  updated_at: new Date(s.updated_at),
  secret: copySecret(s.secret),
});
const sameSecret = (a: EncryptedSecret, b: EncryptedSecret) =>
  a.keyId === b.keyId && a.iv.equals(b.iv) && a.ciphertext.equals(b.ciphertext);

export class MemorySigningSettingsStore extends SigningSettingsStore {
  private readonly rows = new Map<string, StoredSigningSettings>();

  async put(w: SigningSettingsWrite): Promise<StoredSigningSettings> {
    const key = keyOf(w.tenant_id, w.endpoint);
    const stored: StoredSigningSettings = {
      tenant_id: w.tenant_id,
      endpoint: w.endpoint,
      scheme: w.scheme,
      header: w.header,
      prefix: w.prefix,
      key_id: w.secret.keyId,
      updated_by: w.by,
      created_at: new Date(this.rows.get(key)?.created_at ?? w.now),
      updated_at: new Date(w.now),
      secret: copySecret(w.secret),
    };
    this.rows.set(key, stored);
    return copy(stored);
  }

  async get(tenantId: string, endpoint: string): Promise<StoredSigningSettings | null> {
    const stored = this.rows.get(keyOf(tenantId, endpoint));
    return stored ? copy(stored) : null;
  }

  async list(filter: SigningSettingsFilter): Promise<StoredSigningSettings[]> {
    return [...this.rows.values()]
      .filter(
        (s) =>
          (filter.tenant_id === undefined || s.tenant_id === filter.tenant_id) &&
          (filter.tenant_ids === undefined || filter.tenant_ids.includes(s.tenant_id)) &&
          (filter.endpoint === undefined || s.endpoint === filter.endpoint),
      )
      .sort((a, b) => cmp(a.tenant_id, b.tenant_id) || cmp(a.endpoint, b.endpoint))
      .map(copy);
  }

  async delete(tenantId: string, endpoint: string): Promise<boolean> {
    return this.rows.delete(keyOf(tenantId, endpoint));
  }

  async keyUsage(): Promise<Map<string, number>> {
    const usage = new Map<string, number>();
    for (const s of this.rows.values()) usage.set(s.secret.keyId, (usage.get(s.secret.keyId) ?? 0) + 1);
    return usage;
  }

  async notUnderKey(keyId: string, limit: number): Promise<StoredSigningSettings[]> {
    return (await this.list({})).filter((s) => s.secret.keyId !== keyId).slice(0, limit);
  }

  async replaceSecret(tenantId: string, endpoint: string, from: EncryptedSecret, to: EncryptedSecret): Promise<boolean> {
    const stored = this.rows.get(keyOf(tenantId, endpoint));
    if (!stored || !sameSecret(stored.secret, from)) return false;
    stored.secret = copySecret(to);
    stored.key_id = to.keyId;
    return true;
  }
}

// Code-unit order, as PostgreSQL's C collation would; the contract uses ASCII ids only.
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
