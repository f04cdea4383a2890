import type { Client } from 'pg';
import { databaseUrlOn, withAdminClientOn } from '../../bench/postgres-admin';

/** The machine's PostgreSQL, where tests create their databases. */
export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEMPLATE_DB_ENV = 'AUTOHEAL_TEST_TEMPLATE_DB';
export const TEST_DB_PREFIX = 'autoheal_test_';

export function databaseUrl(name: string): string {
  return databaseUrlOn(PG_ADMIN_URL, name);
}

export function withAdminClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  return withAdminClientOn(PG_ADMIN_URL, work);
}
