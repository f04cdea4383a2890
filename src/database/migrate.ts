import { DataSource, MigrationExecutor } from 'typeorm';

/** Any constant works, as long as nothing else in the database uses it. */
const MIGRATION_LOCK_ID = 720_100_001;

/**
 * A session-level advisory lock makes instances booting together take turns. The lock and the migrations
 * share one connection, so this also works on a pool of one (the embedded database).
 */
export async function runMigrationsSerialized(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      const applied = await executor.executePendingMigrations();
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await runner.release();
  }
}
