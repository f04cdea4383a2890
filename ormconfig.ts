import 'reflect-metadata';
import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './src/database/migrations';

export interface PoolTuning {
  /** How long a query waits for a free connection before it fails. */
  connectionTimeoutMillis?: number;
  /** 0: an idle connection is kept, never closed. */
  idleTimeoutMillis?: number;
}

/**
 * The one TypeORM configuration: the app builds its DataSource from this (see
 * src/database/database.module.ts) and the TypeORM CLI uses the default export.
 * The migrations are the schema (no entities; see the README); nothing is synchronized.
 */
export function dataSourceOptions(url: string, poolSize = 10, pool: PoolTuning = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+ (and PGlite); nothing to install.
    installExtensions: false,
    // Not 'error': a failed query would be logged with its parameters (payloads, up to MBs); errors
    // reach the caller as exceptions and the exception filter logs the 500s.
    logging: ['warn', 'migration'],
    extra: {
      max: poolSize,
      connectionTimeoutMillis: pool.connectionTimeoutMillis ?? 5000,
      ...(pool.idleTimeoutMillis === undefined ? {} : { idleTimeoutMillis: pool.idleTimeoutMillis }),
      // A cycle never holds a statement open for long; a runaway one is a bug, not work.
      statement_timeout: 60_000,
    },
  };
}

// For the TypeORM CLI (`npm run migration:run`): it needs a real server in DATABASE_URL.
// The service itself migrates at boot, on PostgreSQL and on the embedded database alike.
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'));
