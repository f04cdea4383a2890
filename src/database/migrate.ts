import { DataSource } from 'typeorm';

/** Any constant works, as long as nothing else in the database uses it. */
const MIGRATION_LOCK_ID = 720_100_001;

/**
 * Runs pending migrations under a session-level advisory lock, so instances booting together
 * take turns: the first migrates, the others wait and then find nothing left to do.
 */
export async function runMigrationsSerialized(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await runner.release();
  }
}
