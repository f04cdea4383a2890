import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { runMigrationsSerialized } from '../../src/database/migrate';
import { databaseUrl, TEMPLATE_DB_ENV, TEST_DB_PREFIX, withAdminClient } from './pg-admin';

/** Migrates once into a template database; each test file then clones it (fast, isolated). */
export default async function globalSetup(): Promise<void> {
  const template = `${TEST_DB_PREFIX}tpl_${process.pid}`;
  await withAdminClient(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${template}`);
    await client.query(`CREATE DATABASE ${template}`);
  });
  const dataSource = new DataSource(dataSourceOptions(databaseUrl(template), 2));
  await dataSource.initialize();
  await runMigrationsSerialized(dataSource);
  await dataSource.destroy();
  process.env[TEMPLATE_DB_ENV] = template;
}
