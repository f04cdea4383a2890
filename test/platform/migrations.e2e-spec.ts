import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { runMigrationsSerialized } from '../../src/database/migrate';
import { MIGRATIONS } from '../../src/database/migrations';
import { databaseUrl, withAdminClient } from '../utils/pg-admin';
import { randomBytes } from 'node:crypto';

const TABLES = [
  'autoheal_controls',
  'deliveries',
  'delivery_attempts',
  'operator_audit',
  'autoheal_history',
  'escalations',
  'endpoint_maintenance',
  'incident_deferrals',
  'incidents',
  'incident_events',
  'approvals',
  'endpoint_leases',
  'recoveries',
  'endpoint_signing',
  'tenant_throttles',
  'notification_silences',
];

async function tablesIn(ds: DataSource): Promise<string[]> {
  const rows: { table_name: string }[] = await ds.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations' ORDER BY 1`,
  );
  return rows.map((r) => r.table_name);
}

describe('migrations', () => {
  const name = `autoheal_test_mig_${randomBytes(4).toString('hex')}`;
  const sources: DataSource[] = [];
  const open = async () => {
    const ds = new DataSource(dataSourceOptions(databaseUrl(name), 3));
    sources.push(await ds.initialize());
    return ds;
  };

  beforeAll(() => withAdminClient((c) => c.query(`CREATE DATABASE ${name}`)));
  afterAll(async () => {
    await Promise.all(sources.filter((s) => s.isInitialized).map((s) => s.destroy()));
    await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });

  it('run once even when three instances start together', async () => {
    const [a, b, c] = await Promise.all([open(), open(), open()]);
    const applied = await Promise.all([a, b, c].map((ds) => runMigrationsSerialized(ds)));
    expect(applied.flat()).toHaveLength(MIGRATIONS.length);
    expect(await tablesIn(a)).toEqual([...TABLES].sort());
  });

  it('go all the way down and up again', async () => {
    const ds = sources[0];
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await tablesIn(ds)).toEqual([]);
    expect(await runMigrationsSerialized(ds)).toHaveLength(MIGRATIONS.length);
    expect(await tablesIn(ds)).toEqual([...TABLES].sort());
  });

  it("keep the guide's autoheal_history columns so its SQL runs as written", async () => {
    const ds = sources[0];
    const columns: { column_name: string; data_type: string }[] = await ds.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'autoheal_history' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'uuid' },
      { column_name: 'run_at', data_type: 'timestamp with time zone' },
      { column_name: 'incidents_detected', data_type: 'integer' },
      { column_name: 'actions_taken', data_type: 'jsonb' },
      { column_name: 'actions_skipped', data_type: 'jsonb' },
      { column_name: 'execution_time_ms', data_type: 'double precision' },
      { column_name: 'dry_run', data_type: 'boolean' },
      { column_name: 'cycle_id', data_type: 'uuid' },
      { column_name: 'status', data_type: 'text' },
      { column_name: 'lease_expires_at', data_type: 'timestamp with time zone' },
    ]);
    await ds.query(`INSERT INTO autoheal_history (run_at, incidents_detected, actions_taken, actions_skipped, execution_time_ms, dry_run)
                    VALUES (now(), 1, '[{"strategy": "REPLAY_RECENT"}]', '[]', 12.5, false)`);
    const [{ success_rate }] =
      await ds.query(`SELECT COUNT(CASE WHEN actions_taken IS NOT NULL THEN 1 END)::float / COUNT(*) as success_rate
                      FROM autoheal_history WHERE run_at >= NOW() - INTERVAL '24 hours'`);
    expect(success_rate).toBe(1);
  });

  it('make operator_audit append-only', async () => {
    const ds = sources[0];
    await ds.query(`INSERT INTO operator_audit (operator_id, action, resource_type) VALUES ('alice', 'test', 'probe')`);
    await expect(ds.query(`UPDATE operator_audit SET action = 'changed'`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM operator_audit`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`TRUNCATE operator_audit`)).rejects.toThrow(/append-only: TRUNCATE/);
  });

  it('index the windows the engine reads', async () => {
    const ds = sources[0];
    await ds.query(`
      INSERT INTO deliveries (id, tenant_id, target, status, created_at)
      SELECT 'd' || g, 't' || (g % 50), 'https://e' || (g % 500) || '.example/hook',
             CASE WHEN g % 10 = 0 THEN 'failed' ELSE 'delivered' END,
             now() - (g || ' seconds')::interval
      FROM generate_series(1, 40000) g`);
    await ds.query('ANALYZE deliveries');
    const plan = async (sql: string, params: unknown[]) => JSON.stringify(await ds.query(`EXPLAIN (FORMAT JSON) ${sql}`, params));
    const lastHour = await plan(`SELECT tenant_id, target, status FROM deliveries WHERE created_at >= $1`, [
      new Date(Date.now() - 3600_000),
    ]);
    expect(lastHour).toMatch(/idx_deliveries_created_at/);
    expect(lastHour).not.toMatch(/Seq Scan/);
    const failures = await plan(
      `SELECT id FROM deliveries WHERE tenant_id = $1 AND target = $2 AND created_at >= $3 AND status IN ('failed',
        'dead_letter') ORDER BY created_at DESC LIMIT 100`,
      ['t1', 'https://e1.example/hook', new Date(Date.now() - 600_000)],
    );
    expect(failures).toMatch(/idx_deliveries_failures_by_endpoint/);
    expect(failures).not.toMatch(/Seq Scan/);
  });
});
