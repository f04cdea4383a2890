import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { rm, writeFile } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { AppConfig } from '../config/app-config';
import { EMBEDDED_POOL_SIZE, EmbeddedPostgres } from './embedded-postgres';
import { embeddedUrlFile } from './embedded-url-file';
import { runMigrationsSerialized } from './migrate';

/** `null` on a real PostgreSQL. */
export const EMBEDDED_POSTGRES = Symbol('EMBEDDED_POSTGRES');

@Global()
@Module({
  providers: [
    {
      provide: EMBEDDED_POSTGRES,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        config.database.url ? null : new EmbeddedPostgres(config.database.dataDir, config.database.embeddedPort),
    },
    {
      provide: DataSource,
      inject: [AppConfig, EMBEDDED_POSTGRES],
      useFactory: async (config: AppConfig, embedded: EmbeddedPostgres | null) => {
        const dataSource = embedded
          ? // Queries queue for the one connection; under load a wait of seconds is normal, not a fault.
            new DataSource(
              dataSourceOptions(await startEmbedded(embedded, config.database.dataDir), EMBEDDED_POOL_SIZE, {
                connectionTimeoutMillis: 60_000,
                idleTimeoutMillis: 0,
              }),
            )
          : new DataSource(dataSourceOptions(config.database.url!, config.database.poolSize));
        await dataSource.initialize();
        const applied = await runMigrationsSerialized(dataSource);
        if (applied.length > 0) new Logger('Database').log(`Applied migrations: ${applied.join(', ')}`);
        return dataSource;
      },
    },
  ],
  exports: [DataSource],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EMBEDDED_POSTGRES) private readonly embedded: EmbeddedPostgres | null,
    private readonly config: AppConfig,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    if (this.embedded) {
      await this.embedded.stop();
      await rm(embeddedUrlFile(this.config.database.dataDir), { force: true });
    }
  }
}

/** Leaves its URL where `npm run db:psql` looks while the service runs. */
async function startEmbedded(embedded: EmbeddedPostgres, dataDir: string): Promise<string> {
  new Logger('Database').log(`Starting the embedded PostgreSQL (PGlite) under ${dataDir}; set DATABASE_URL to use a server`);
  const url = await embedded.start();
  await writeFile(embeddedUrlFile(dataDir), `${url}\n`);
  return url;
}
