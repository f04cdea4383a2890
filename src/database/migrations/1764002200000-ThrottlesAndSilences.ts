import { MigrationInterface, QueryRunner } from 'typeorm';

/** RATE_LIMIT_SOURCE's throttles (the record; coordination enforces them) and SILENCE_DUPES's notification silences. */
export class ThrottlesAndSilences1764002200000 implements MigrationInterface {
  name = 'ThrottlesAndSilences1764002200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE tenant_throttles (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id   text NOT NULL,
        factor      numeric NOT NULL CHECK (factor > 0 AND factor <= 1),
        until       timestamptz NOT NULL,
        reason      text,
        set_by      text NOT NULL,
        created_at  timestamptz NOT NULL,
        incident_id uuid,
        lifted_at   timestamptz,
        lifted_by   text,
        CHECK (until > created_at)
      )`);
    await db.query(`CREATE INDEX idx_tenant_throttles_active ON tenant_throttles (tenant_id, until) WHERE lifted_at IS NULL`);
    await db.query(`
      CREATE TABLE notification_silences (
        id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        signature            text NOT NULL,
        tenant_id            text NOT NULL,
        created_at           timestamptz NOT NULL,
        ends_at              timestamptz NOT NULL,
        dedup_window_seconds numeric NOT NULL CHECK (dedup_window_seconds > 0),
        max_occurrences      integer NOT NULL CHECK (max_occurrences >= 1),
        occurrences          integer NOT NULL DEFAULT 0,
        suppressed           integer NOT NULL DEFAULT 0,
        last_counted         jsonb NOT NULL DEFAULT '{}'::jsonb,
        escalated_at         timestamptz,
        created_by           text NOT NULL,
        comment              text,
        incident_id          uuid,
        expired_at           timestamptz,
        expired_by           text,
        CHECK (ends_at > created_at)
      )`);
    await db.query(`CREATE INDEX idx_notification_silences_match ON notification_silences (tenant_id, signature, ends_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE notification_silences`);
    await db.query(`DROP TABLE tenant_throttles`);
  }
}
