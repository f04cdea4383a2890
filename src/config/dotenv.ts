import { existsSync } from 'node:fs';

/** For command-line tools outside Nest: load `.env` like the service does (real variables win). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
