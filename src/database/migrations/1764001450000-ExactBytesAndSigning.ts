import { MigrationInterface, QueryRunner } from 'typeorm';

/** The bytes the dispatcher sent (jsonb reorders keys and drops whitespace), and per-endpoint re-signing settings. */
export class ExactBytesAndSigning1764001450000 implements MigrationInterface {
  name = 'ExactBytesAndSigning1764001450000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE deliveries ADD COLUMN body text, ADD COLUMN content_type text`);
    await db.query(`
      CREATE TABLE endpoint_signing (
        tenant_id         text NOT NULL,
        endpoint          text NOT NULL,
        scheme            text NOT NULL CHECK (scheme IN ('standard-webhooks', 'hmac-sha256', 'stripe-style')),
        header            text,
        prefix            text,
        key_id            text NOT NULL,
        secret_iv         bytea NOT NULL,
        secret_tag        bytea NOT NULL,
        secret_ciphertext bytea NOT NULL,
        updated_by        text NOT NULL,
        created_at        timestamptz NOT NULL,
        updated_at        timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, endpoint)
      )`);
    await db.query(`CREATE INDEX idx_endpoint_signing_key_id ON endpoint_signing (key_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE endpoint_signing`);
    await db.query(`ALTER TABLE deliveries DROP COLUMN content_type, DROP COLUMN body`);
  }
}
