import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { databaseUrlOn, withAdminClientOn } from './postgres-admin';

/** The machine's PostgreSQL, where the benchmark creates (and always drops) its databases. */
export const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL || 'postgres://root@127.0.0.1:5432/test';
export const BENCH_DB_PREFIX = 'autoheal_bench_';

export function scratchDatabaseName(size: number): string {
  return `${BENCH_DB_PREFIX}${size}_${randomBytes(4).toString('hex')}`;
}

export function databaseUrl(name: string): string {
  return databaseUrlOn(PG_ADMIN_URL, name);
}

function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  return withAdminClientOn(PG_ADMIN_URL, work);
}

export async function createDatabase(name: string): Promise<void> {
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
}

/** FORCE: a crashed run may leave the app's pool connected. */
export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
