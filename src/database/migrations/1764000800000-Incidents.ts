import { MigrationInterface, QueryRunner } from 'typeorm';

export class Incidents1764000800000 implements MigrationInterface {
  name = 'Incidents1764000800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE incidents (
        id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id              text NOT NULL,
        endpoint               text NOT NULL,
        kind                   text NOT NULL CHECK (kind IN ('failure_burst', 'traffic_spike', 'sustained_outage')),
        severity               text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
        state                  text NOT NULL DEFAULT 'open' CHECK (state IN (
                                 'open', 'probing', 'draining', 'recovered', 'escalated', 'awaiting_approval', 'resolved', 'expired')),
        first_failure_at       timestamptz NOT NULL,
        last_failure_at        timestamptz NOT NULL,
        opened_at              timestamptz NOT NULL,
        updated_at             timestamptz NOT NULL,
        recovered_at           timestamptz,
        resolved_at            timestamptz,
        first_probe_success_at timestamptz,
        last_probe_at          timestamptz,
        next_probe_at          timestamptz,
        backlog_size           integer NOT NULL DEFAULT 0,
        delivered_by_heal      integer NOT NULL DEFAULT 0,
        sends_wasted           integer NOT NULL DEFAULT 0,
        probes                 integer NOT NULL DEFAULT 0,
        ineffective_attempts   integer NOT NULL DEFAULT 0,
        time_to_heal_seconds   double precision,
        -- Plain references: an escalation lives in another module's table, and the approval
        -- points back here (a foreign key each way would make neither insertable first).
        escalation_id          uuid,
        approval_id            uuid,
        version                integer NOT NULL DEFAULT 1
      )`);
    // At most one active incident per tenant+endpoint: racing instances that both see the outage
    // upsert into the same row (ON CONFLICT on this index) instead of opening two.
    await db.query(`
      CREATE UNIQUE INDEX uq_incidents_active
        ON incidents (tenant_id, endpoint) WHERE state IN ('open', 'probing', 'draining', 'escalated', 'awaiting_approval')`);
    await db.query(`CREATE INDEX idx_incidents_state_opened ON incidents (state, opened_at DESC)`);
    await db.query(`CREATE INDEX idx_incidents_tenant_opened ON incidents (tenant_id, opened_at DESC)`);

    await db.query(`
      CREATE TABLE incident_events (
        id          bigserial PRIMARY KEY,
        incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        at          timestamptz NOT NULL,
        type        text NOT NULL CHECK (type IN (
                      'opened', 'state_changed', 'probe', 'drain_batch', 'skipped', 'paged', 'approval_requested',
                      'approved', 'rejected', 'approval_expired', 'recovered', 'resolved', 'note')),
        cycle_id    uuid,
        actor       text NOT NULL,
        detail      jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await db.query(`CREATE INDEX idx_incident_events_incident_at ON incident_events (incident_id, at, id)`);

    await db.query(`
      CREATE TABLE approvals (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id  uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
        plan         jsonb NOT NULL,
        requested_at timestamptz NOT NULL,
        expires_at   timestamptz NOT NULL,
        decided_at   timestamptz,
        decided_by   text,
        note         text
      )`);
    await db.query(`CREATE UNIQUE INDEX uq_approvals_pending ON approvals (incident_id) WHERE status = 'pending'`);
    await db.query(`CREATE INDEX idx_approvals_status_requested ON approvals (status, requested_at DESC)`);
    await db.query(`CREATE INDEX idx_approvals_pending_expiry ON approvals (expires_at) WHERE status = 'pending'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE approvals`);
    await db.query(`DROP TABLE incident_events`);
    await db.query(`DROP TABLE incidents`);
  }
}
