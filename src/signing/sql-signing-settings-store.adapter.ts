import { DataSource } from 'typeorm';
import type { EncryptedSecret } from './secret-cipher';
import {
  SigningScheme,
  SigningSettingsFilter,
  SigningSettingsStore,
  SigningSettingsWrite,
  StoredSigningSettings,
} from './signing-settings-store.port';

const COLUMNS = `tenant_id, endpoint, scheme, header, prefix, key_id, secret_iv, secret_tag, secret_ciphertext,
  updated_by, created_at, updated_at`;

const UPSERT = `INSERT INTO endpoint_signing (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
  ON CONFLICT (tenant_id, endpoint) DO UPDATE SET
    scheme = EXCLUDED.scheme, header = EXCLUDED.header, prefix = EXCLUDED.prefix, key_id = EXCLUDED.key_id,
    secret_iv = EXCLUDED.secret_iv, secret_tag = EXCLUDED.secret_tag, secret_ciphertext = EXCLUDED.secret_ciphertext,
    updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
  RETURNING ${COLUMNS}`;
const GET = `SELECT ${COLUMNS} FROM endpoint_signing WHERE tenant_id = $1 AND endpoint = $2`;
const LIST = `SELECT ${COLUMNS} FROM endpoint_signing
  WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text[] IS NULL OR tenant_id = ANY($2)) AND ($3::text IS NULL OR endpoint = $3)
  ORDER BY tenant_id, endpoint`;
const DELETE = `DELETE FROM endpoint_signing WHERE tenant_id = $1 AND endpoint = $2`;
const KEY_USAGE = `SELECT key_id, count(*)::int AS n FROM endpoint_signing GROUP BY key_id`;
const NOT_UNDER_KEY = `SELECT ${COLUMNS} FROM endpoint_signing WHERE key_id <> $1 ORDER BY tenant_id, endpoint LIMIT $2`;
const REPLACE_SECRET = `UPDATE endpoint_signing SET key_id = $6, secret_iv = $7, secret_tag = $8, secret_ciphertext = $9
  WHERE tenant_id = $1 AND endpoint = $2 AND key_id = $3 AND secret_iv = $4 AND secret_ciphertext = $5`;

interface Row {
  tenant_id: string;
  endpoint: string;
  scheme: SigningScheme;
  header: string | null;
  prefix: string | null;
  key_id: string;
  secret_iv: Buffer;
  secret_tag: Buffer;
  secret_ciphertext: Buffer;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
}

function toStored(row: Row): StoredSigningSettings {
  return {
    tenant_id: row.tenant_id,
    endpoint: row.endpoint,
    scheme: row.scheme,
    header: row.header,
    prefix: row.prefix,
    key_id: row.key_id,
    updated_by: row.updated_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
    secret: { keyId: row.key_id, iv: row.secret_iv, tag: row.secret_tag, ciphertext: row.secret_ciphertext },
  };
}

export class SqlSigningSettingsStore extends SigningSettingsStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async put(w: SigningSettingsWrite): Promise<StoredSigningSettings> {
    const { secret } = w;
    const [row]: Row[] = await this.dataSource.query(UPSERT, [
      w.tenant_id,
      w.endpoint,
      w.scheme,
      w.header,
      w.prefix,
      secret.keyId,
      secret.iv,
      secret.tag,
      secret.ciphertext,
      w.by,
      w.now,
    ]);
    return toStored(row);
  }

  async get(tenantId: string, endpoint: string): Promise<StoredSigningSettings | null> {
    const [row]: Row[] = await this.dataSource.query(GET, [tenantId, endpoint]);
    return row ? toStored(row) : null;
  }

  async list(filter: SigningSettingsFilter): Promise<StoredSigningSettings[]> {
    const tenantIds = filter.tenant_ids === undefined ? null : [...filter.tenant_ids];
    const rows: Row[] = await this.dataSource.query(LIST, [filter.tenant_id ?? null, tenantIds, filter.endpoint ?? null]);
    return rows.map(toStored);
  }

  async delete(tenantId: string, endpoint: string): Promise<boolean> {
    const [, affected] = await this.dataSource.query(DELETE, [tenantId, endpoint]);
    return affected > 0;
  }

  async keyUsage(): Promise<Map<string, number>> {
    const rows: Array<{ key_id: string; n: number }> = await this.dataSource.query(KEY_USAGE);
    return new Map(rows.map((row) => [row.key_id, row.n]));
  }

  async notUnderKey(keyId: string, limit: number): Promise<StoredSigningSettings[]> {
    const rows: Row[] = await this.dataSource.query(NOT_UNDER_KEY, [keyId, limit]);
    return rows.map(toStored);
  }

  async replaceSecret(tenantId: string, endpoint: string, from: EncryptedSecret, to: EncryptedSecret): Promise<boolean> {
    const [, affected] = await this.dataSource.query(REPLACE_SECRET, [
      tenantId,
      endpoint,
      from.keyId,
      from.iv,
      from.ciphertext,
      to.keyId,
      to.iv,
      to.tag,
      to.ciphertext,
    ]);
    return affected > 0;
  }
}
