import { existsSync } from 'node:fs';
import { AppConfig } from './app-config';

/** For command-line tools outside Nest: load `.env` like the service does (real variables win). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** `.env` plus the process environment, validated: what main.ts and the CLIs start from. */
export function configFromProcess(): AppConfig {
  loadDotEnv();
  return AppConfig.fromEnv(process.env);
}
