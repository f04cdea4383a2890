import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceProcess, startServiceProcess } from '../../bench/outage/service-process';

export type { ServiceProcess };

export const ROOT = join(__dirname, '..', '..');
export const distFile = (file: string) => join(ROOT, 'dist', 'src', file);

export function requireBuild(): void {
  if (!existsSync(distFile('main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it for you)');
}

/** Starts the built service (`node dist/src/main.js`, what `npm start` runs) and waits until it listens. */
export async function startService(env: Record<string, string>, timeoutMs = 60_000): Promise<ServiceProcess> {
  requireBuild();
  return startServiceProcess(distFile('main.js'), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'log', ...env },
    timeoutMs,
  });
}
