import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE deliveries (
        id              text PRIMARY KEY,
        tenant_id       text NOT NULL,
        target          text NOT NULL,
        event_type      text,
        status          text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'dead_letter')),
        http_status     integer,
        error           text,
        triage_label    text,
        triage_score    real CHECK (triage_score BETWEEN 0 AND 1),
        attempts        integer NOT NULL DEFAULT 0,
        payload         jsonb,
        headers         jsonb,
        meta            jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz
      )`);
    // "Everything in the last 60 minutes" (anomaly detection) reads a created_at range; the
    // INCLUDE columns let it answer from the index alone, whatever the table's size.
    await db.query(`
      CREATE INDEX idx_deliveries_created_at
        ON deliveries (created_at) INCLUDE (tenant_id, target, status, triage_label)`);
    // "Failures of one tenant+endpoint in the last N minutes" (replay candidates).
    await db.query(`
      CREATE INDEX idx_deliveries_failures_by_endpoint
        ON deliveries (tenant_id, target, created_at DESC)
        WHERE status IN ('failed', 'dead_letter')`);
    await db.query(`CREATE INDEX idx_deliveries_tenant_created ON deliveries (tenant_id, created_at DESC)`);
    // One endpoint's recent history (M4's success rate) from the index alone, even for a
    // tenant with thousands of endpoints.
    await db.query(`
      CREATE INDEX idx_deliveries_endpoint_created
        ON deliveries (tenant_id, target, created_at) INCLUDE (status)`);

    await db.query(`
      CREATE TABLE delivery_attempts (
        id           bigserial PRIMARY KEY,
        delivery_id  text NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        attempted_at timestamptz NOT NULL DEFAULT now(),
        finished_at  timestamptz,
        http_status  integer,
        error        text,
        duration_ms  integer,
        source       text NOT NULL,
        actor        text NOT NULL,
        outcome      text NOT NULL CHECK (outcome IN ('pending', 'succeeded', 'failed', 'abandoned')),
        replay_key   text UNIQUE,
        cycle_id     uuid
      )`);
    await db.query(`CREATE INDEX idx_delivery_attempts_delivery ON delivery_attempts (delivery_id, attempted_at DESC)`);
    await db.query(`CREATE INDEX idx_delivery_attempts_source_at ON delivery_attempts (source, attempted_at DESC)`);
    // A dispatcher re-posting the same outcome (a retried HTTP call) must not count a second send.
    await db.query(`
      CREATE UNIQUE INDEX uq_delivery_attempts_dispatcher
        ON delivery_attempts (delivery_id, attempted_at) WHERE source = 'dispatcher'`);

    await db.query(`
      CREATE TABLE operator_audit (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        at            timestamptz NOT NULL DEFAULT now(),
        operator_id   text NOT NULL,
        action        text NOT NULL,
        resource_type text NOT NULL,
        resource_id   text,
        tenant_id     text,
        meta          jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await db.query(`CREATE INDEX idx_operator_audit_at ON operator_audit (at DESC)`);
    await db.query(`CREATE INDEX idx_operator_audit_action_at ON operator_audit (action, at DESC)`);
    await db.query(`CREATE INDEX idx_operator_audit_tenant_at ON operator_audit (tenant_id, at DESC)`);
    await db.query(`
      CREATE FUNCTION operator_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'operator_audit is append-only: % is not allowed', TG_OP;
      END $$`);
    await db.query(`
      CREATE TRIGGER operator_audit_append_only
        BEFORE UPDATE OR DELETE ON operator_audit
        FOR EACH ROW EXECUTE FUNCTION operator_audit_append_only()`);
    await db.query(`
      CREATE TRIGGER operator_audit_no_truncate
        BEFORE TRUNCATE ON operator_audit
        FOR EACH STATEMENT EXECUTE FUNCTION operator_audit_append_only()`);

    await db.query(`
      CREATE TABLE autoheal_history (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        run_at             timestamptz NOT NULL,
        incidents_detected integer NOT NULL,
        actions_taken      jsonb NOT NULL DEFAULT '[]'::jsonb,
        actions_skipped    jsonb NOT NULL DEFAULT '[]'::jsonb,
        execution_time_ms  double precision NOT NULL,
        dry_run            boolean NOT NULL
      )`);
    await db.query(`CREATE INDEX idx_autoheal_history_run_at ON autoheal_history (run_at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE autoheal_history`);
    await db.query(`DROP TABLE operator_audit`);
    await db.query(`DROP FUNCTION operator_audit_append_only()`);
    await db.query(`DROP TABLE delivery_attempts`);
    await db.query(`DROP TABLE deliveries`);
  }
}
