import { MigrationInterface, QueryRunner } from 'typeorm';

export class HealingState1764000100000 implements MigrationInterface {
  name = 'HealingState1764000100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE escalations (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id       text NOT NULL,
        endpoint        text NOT NULL,
        priority        text NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'critical')),
        status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
        reason          text NOT NULL,
        incident        jsonb NOT NULL DEFAULT '{}'::jsonb,
        occurrences     integer NOT NULL DEFAULT 1,
        created_at      timestamptz NOT NULL DEFAULT now(),
        last_seen_at    timestamptz NOT NULL DEFAULT now(),
        notified_at     timestamptz,
        acknowledged_by text,
        acknowledged_at timestamptz,
        resolved_by     text,
        resolved_at     timestamptz
      )`);
    // At most one unresolved escalation per tenant+endpoint: a recurring incident bumps it
    // instead of paging the on-call engineer again.
    await db.query(`
      CREATE UNIQUE INDEX uq_escalations_unresolved
        ON escalations (tenant_id, endpoint) WHERE status <> 'resolved'`);
    await db.query(`CREATE INDEX idx_escalations_status_created ON escalations (status, created_at DESC)`);

    await db.query(`
      CREATE TABLE endpoint_maintenance (
        endpoint   text PRIMARY KEY,
        reason     text,
        until      timestamptz NOT NULL,
        set_by     text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE incident_deferrals (
        tenant_id         text NOT NULL,
        endpoint          text NOT NULL,
        deferrals         integer NOT NULL DEFAULT 0,
        first_deferred_at timestamptz NOT NULL,
        last_deferred_at  timestamptz NOT NULL,
        recheck_at        timestamptz NOT NULL,
        notified_at       timestamptz,
        status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cleared', 'escalated')),
        PRIMARY KEY (tenant_id, endpoint)
      )`);
    await db.query(`CREATE INDEX idx_incident_deferrals_due ON incident_deferrals (recheck_at) WHERE status = 'active'`);

    // Run-time operator controls (kill switch, dry-run mode) that override the rules file
    // without a redeploy; durable, so a restart never silently re-enables healing.
    await db.query(`
      CREATE TABLE autoheal_controls (
        id              boolean PRIMARY KEY DEFAULT true CHECK (id),
        autoheal_enabled boolean,
        dry_run         boolean,
        reason          text,
        updated_by      text NOT NULL,
        updated_at      timestamptz NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE autoheal_controls`);
    await db.query(`DROP TABLE incident_deferrals`);
    await db.query(`DROP TABLE endpoint_maintenance`);
    await db.query(`DROP TABLE escalations`);
  }
}
