import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { distFile, requireBuild } from './service-process';

/** Runs a built CLI (`dist/src/<file>`) with only the given environment, outside the repository (no .env). */
export function runCli(file: string, args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  requireBuild();
  const run = spawnSync('node', [distFile(file), ...args], { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env }, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
