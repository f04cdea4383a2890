import { MigrationInterface, QueryRunner } from 'typeorm';

export class Recoveries1764001300000 implements MigrationInterface {
  name = 'Recoveries1764001300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE recoveries (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id     text NOT NULL,
        endpoint      text,
        since         timestamptz NOT NULL,
        until         timestamptz,
        statuses      text[] NOT NULL,
        triage_labels text[],
        state         text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'completed', 'cancelled', 'failed')),
        total         integer NOT NULL CHECK (total >= 0),
        sent          integer NOT NULL DEFAULT 0,
        delivered     integer NOT NULL DEFAULT 0,
        failed        integer NOT NULL DEFAULT 0,
        skipped       integer NOT NULL DEFAULT 0,
        remaining     integer NOT NULL CHECK (remaining >= 0),
        paused_reason text,
        created_by    text NOT NULL,
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL,
        started_at    timestamptz,
        finished_at   timestamptz,
        cancelled_by  text,
        error         text,
        CHECK (until IS NULL OR until > since)
      )`);
    await db.query(`CREATE INDEX idx_recoveries_tenant_created ON recoveries (tenant_id, created_at DESC)`);
    await db.query(`CREATE INDEX idx_recoveries_unfinished ON recoveries (created_at) WHERE state IN ('queued', 'running')`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE recoveries`);
  }
}
