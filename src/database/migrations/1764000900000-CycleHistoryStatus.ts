import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A cycle's history row is opened before it acts and completed at the end; a row left `running`
 * past its lease belongs to a process that died. `actions_taken` is NULL for a cycle that took no
 * action, so the guide's "Healing Success Rate" (`actions_taken IS NOT NULL`) means what it says.
 */
export class CycleHistoryStatus1764000900000 implements MigrationInterface {
  name = 'CycleHistoryStatus1764000900000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE autoheal_history
        ADD COLUMN cycle_id         uuid,
        ADD COLUMN status           text NOT NULL DEFAULT 'completed' CHECK (status IN ('running', 'completed', 'interrupted')),
        ADD COLUMN lease_expires_at timestamptz,
        ALTER COLUMN actions_taken DROP NOT NULL,
        ALTER COLUMN actions_taken DROP DEFAULT`);
    await db.query(`UPDATE autoheal_history SET actions_taken = NULL WHERE actions_taken = '[]'::jsonb`);
    await db.query(`UPDATE autoheal_history SET cycle_id = gen_random_uuid()`);
    await db.query(`ALTER TABLE autoheal_history ALTER COLUMN cycle_id SET NOT NULL, ADD CONSTRAINT uq_autoheal_history_cycle UNIQUE (cycle_id)`);
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
  }
}
