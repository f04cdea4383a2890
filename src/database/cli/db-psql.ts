import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { urlWithoutCredentials } from '../../common/url-without-credentials';
import { configFromProcess } from '../../config/dotenv';
import { embeddedUrlFile } from '../embedded-url-file';

/** `npm run db:psql [-- psql arguments]`: DATABASE_URL, else the URL the running service recorded, else EMBEDDED_DB_PORT. */
function main(): number {
  const config = configFromProcess();
  const target = databaseUrl(config.database);
  if (!target) {
    process.stderr.write(
      'The embedded database lives inside the service: start it first (npm start), or set DATABASE_URL. ' +
        `(${embeddedUrlFile(config.database.dataDir)} is written while it runs.)\n`,
    );
    return 1;
  }
  process.stderr.write(`psql on ${target.describe}\n`);
  const psql = spawnSync('psql', ['-d', target.url, ...process.argv.slice(2)], { stdio: 'inherit' });
  if ((psql.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    process.stderr.write('psql is not installed: install the PostgreSQL client (Debian: apt-get install postgresql-client)\n');
    return 1;
  }
  return psql.status ?? 1;
}

function databaseUrl(database: { url?: string; dataDir: string; embeddedPort: number }): { url: string; describe: string } | undefined {
  if (database.url) return { url: database.url, describe: `postgres at ${urlWithoutCredentials(database.url, 5432)} (DATABASE_URL)` };
  const file = embeddedUrlFile(database.dataDir);
  if (existsSync(file)) {
    const url = readFileSync(file, 'utf8').trim();
    return { url, describe: `the embedded database at ${urlWithoutCredentials(url, 5432)} (from ${file})` };
  }
  if (database.embeddedPort > 0) {
    const port = database.embeddedPort;
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, describe: `the embedded database on EMBEDDED_DB_PORT=${port}` };
  }
  return undefined;
}

try {
  process.exitCode = main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
