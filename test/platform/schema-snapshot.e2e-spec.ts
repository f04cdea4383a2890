import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { runMigrationsSerialized } from '../../src/database/migrate';
import { databaseUrl, withAdminClient } from '../utils/pg-admin';

const SNAPSHOT = join(__dirname, 'schema.snapshot.txt');
const UPDATE_ENV = 'UPDATE_SCHEMA_SNAPSHOT';
// TypeORM's bookkeeping table is its shape, not ours.
const OURS = `NOT IN ('typeorm_migrations')`;

const SECTIONS: Array<{ title: string; sql: string }> = [
  {
    title: 'columns (table.column type nullability default)',
    sql: `SELECT table_name || '.' || column_name || ' '
                 || CASE WHEN data_type IN ('USER-DEFINED', 'ARRAY') THEN udt_name ELSE data_type END
                 || COALESCE('(' || character_maximum_length || ')', '')
                 || CASE WHEN is_nullable = 'YES' THEN ' NULL' ELSE ' NOT NULL' END
                 || COALESCE(' DEFAULT ' || column_default, '') AS line
            FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name ${OURS}
           ORDER BY table_name, ordinal_position`,
  },
  {
    title: 'indexes',
    sql: `SELECT indexdef AS line FROM pg_indexes
           WHERE schemaname = 'public' AND tablename ${OURS}
           ORDER BY tablename, indexname`,
  },
  {
    title: 'constraints (table name: definition)',
    sql: `SELECT t.relname || ' ' || c.conname || ': ' || pg_get_constraintdef(c.oid) AS line
            FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
           WHERE n.nspname = 'public' AND t.relname ${OURS}
           ORDER BY t.relname, c.conname`,
  },
  {
    title: 'triggers',
    sql: `SELECT pg_get_triggerdef(tg.oid) AS line
            FROM pg_trigger tg
            JOIN pg_class t ON t.oid = tg.tgrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
           WHERE n.nspname = 'public' AND NOT tg.tgisinternal
           ORDER BY t.relname, tg.tgname`,
  },
  {
    title: 'functions',
    sql: `SELECT pg_get_functiondef(p.oid) AS line
            FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public'
           ORDER BY p.proname, pg_get_function_identity_arguments(p.oid)`,
  },
];

async function dumpSchema(dataSource: DataSource): Promise<string> {
  const parts: string[] = [];
  for (const { title, sql } of SECTIONS) {
    const rows: Array<{ line: string }> = await dataSource.query(sql);
    parts.push(`## ${title}`, ...rows.map((r) => r.line.trimEnd()), '');
  }
  return parts.join('\n');
}

/** Lines only in one of the two texts, so a failure shows what changed without a wall of text. */
function lineDiff(expected: string, actual: string): string {
  const before = new Set(expected.split('\n'));
  const after = new Set(actual.split('\n'));
  return [
    ...[...before].filter((l) => l && !after.has(l)).map((l) => `- ${l}`),
    ...[...after].filter((l) => l && !before.has(l)).map((l) => `+ ${l}`),
  ].join('\n');
}

describe('schema snapshot: the migrations are the schema', () => {
  const name = `autoheal_test_schema_${randomBytes(4).toString('hex')}`;
  let dataSource: DataSource;

  beforeAll(async () => {
    await withAdminClient((c) => c.query(`CREATE DATABASE ${name}`));
    dataSource = await new DataSource(dataSourceOptions(databaseUrl(name), 3)).initialize();
    await runMigrationsSerialized(dataSource);
  });
  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });

  it(`a freshly migrated database matches test/platform/schema.snapshot.txt`, async () => {
    const actual = await dumpSchema(dataSource);
    if (process.env[UPDATE_ENV] === '1') {
      writeFileSync(SNAPSHOT, actual);
      return;
    }
    const expected = existsSync(SNAPSHOT) ? readFileSync(SNAPSHOT, 'utf8') : '';
    if (actual !== expected) {
      throw new Error(
        `The migrated schema differs from ${SNAPSHOT}.\n` +
          `If a migration changed it on purpose, regenerate the file and commit it with the migration:\n` +
          `  ${UPDATE_ENV}=1 npx jest --config test/jest.config.js test/platform/schema-snapshot.e2e-spec.ts\n\n` +
          (lineDiff(expected, actual) || '(same lines, different order or spacing)'),
      );
    }
  });

  it('the dump sees a change: one more column or index is a different schema', async () => {
    const before = await dumpSchema(dataSource);
    await dataSource.query(`ALTER TABLE escalations ADD COLUMN snapshot_probe integer`);
    const withColumn = await dumpSchema(dataSource);
    await dataSource.query(`CREATE INDEX snapshot_probe_idx ON escalations (snapshot_probe)`);
    const withIndex = await dumpSchema(dataSource);
    await dataSource.query(`ALTER TABLE escalations DROP COLUMN snapshot_probe`);

    expect(lineDiff(before, withColumn)).toBe('+ escalations.snapshot_probe integer NULL');
    expect(lineDiff(withColumn, withIndex)).toBe('+ CREATE INDEX snapshot_probe_idx ON public.escalations USING btree (snapshot_probe)');
    expect(await dumpSchema(dataSource)).toBe(before);
  });
});
