import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `endpoint_leases.fence` grows on every takeover and every replay claim checks it, so a holder that lost its
 * lease cannot claim any more. `actions_taken` is NULL for a cycle that took no action, so "Healing Success
 * Rate" (`actions_taken IS NOT NULL`) means what it says.
 */
export class HealingLeases1764000900000 implements MigrationInterface {
  name = 'HealingLeases1764000900000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE endpoint_leases (
        tenant_id  text NOT NULL,
        endpoint   text NOT NULL,
        holder     text NOT NULL,
        fence      bigint NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, endpoint)
      )`);
    await db.query(
      `ALTER TABLE deliveries ADD COLUMN new_status text CHECK (new_status IN ('pending', 'delivered', 'failed', 'dead_letter'))`,
    );
    await db.query(`
      ALTER TABLE autoheal_history
        ADD COLUMN cycle_id         uuid,
        ADD COLUMN status           text NOT NULL DEFAULT 'completed' CHECK (status IN ('running', 'completed', 'interrupted')),
        ADD COLUMN lease_expires_at timestamptz,
        ALTER COLUMN actions_taken DROP NOT NULL,
        ALTER COLUMN actions_taken DROP DEFAULT`);
    await db.query(`UPDATE autoheal_history SET actions_taken = NULL WHERE actions_taken = '[]'::jsonb`);
    await db.query(`UPDATE autoheal_history SET cycle_id = gen_random_uuid()`);
    // A default, so a row written in the guide's columns alone is still accepted.
    await db.query(`
      ALTER TABLE autoheal_history
        ALTER COLUMN cycle_id SET NOT NULL,
        ALTER COLUMN cycle_id SET DEFAULT gen_random_uuid(),
        ADD CONSTRAINT uq_autoheal_history_cycle UNIQUE (cycle_id)`);
    await db.query(`CREATE INDEX idx_autoheal_history_running ON autoheal_history (lease_expires_at) WHERE status = 'running'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX idx_autoheal_history_running`);
    await db.query(`UPDATE autoheal_history SET actions_taken = '[]'::jsonb WHERE actions_taken IS NULL`);
    await db.query(`
      ALTER TABLE autoheal_history
        DROP CONSTRAINT uq_autoheal_history_cycle,
        DROP COLUMN lease_expires_at,
        DROP COLUMN status,
        DROP COLUMN cycle_id,
        ALTER COLUMN actions_taken SET DEFAULT '[]'::jsonb,
        ALTER COLUMN actions_taken SET NOT NULL`);
    await db.query(`ALTER TABLE deliveries DROP COLUMN new_status`);
    await db.query(`DROP TABLE endpoint_leases`);
  }
}
