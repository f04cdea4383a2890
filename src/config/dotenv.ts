import { existsSync } from 'node:fs';
import { AppConfig } from './app-config';

/** For command-line tools outside Nest; real variables win. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

export function configFromProcess(): AppConfig {
  loadDotEnv();
  return AppConfig.fromEnv(process.env);
}
