import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { distFile, requireBuild } from './service-process';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a built CLI (`dist/src/<file>`) with only the given environment, outside the repository (no .env). */
export function runCli(file: string, args: string[], env: Record<string, string>): CliRun {
  requireBuild();
  const fullEnv = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env };
  const run = spawnSync('node', [distFile(file), ...args], { cwd: tmpdir(), env: fullEnv, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
