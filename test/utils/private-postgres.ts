import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './private-redis';

const run = promisify(execFile);

export interface PrivatePostgres {
  name: string;
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust auth). */
  url: string;
  /** `stop -m immediate`: every backend dies at once, as when the server crashes. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops and deletes the cluster; safe to call when creating it failed half-way. */
  remove(): Promise<void>;
}

/** The newest PostgreSQL whose Debian cluster tools are installed (`/etc/postgresql/<version>`). */
function installedVersion(): string {
  const versions = readdirSync('/etc/postgresql').filter((entry) => /^\d+$/.test(entry));
  if (versions.length === 0) throw new Error('no PostgreSQL cluster tools in /etc/postgresql (pg_createcluster)');
  return versions.sort((a, b) => Number(b) - Number(a))[0];
}

/**
 * A PostgreSQL cluster of the test's own (Debian's pg_createcluster, trust auth on 127.0.0.1, a
 * free port) with one empty database, so a test may stop it: never the machine's shared `main`.
 */
export async function createPrivatePostgres(database = 'autoheal'): Promise<PrivatePostgres> {
  const version = installedVersion();
  const name = `autoheal_fault_${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const ctl = (action: string, ...args: string[]) => run('pg_ctlcluster', [version, name, action, ...args]).then(() => undefined);
  const cluster: PrivatePostgres = {
    name,
    port,
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop: () => ctl('stop', '-m', 'immediate'),
    start: () => ctl('start'),
    remove: async () => {
      await run('pg_dropcluster', [version, name, '--stop']).catch(() => undefined);
    },
  };
  try {
    // fsync off: a stop, even `-m immediate`, leaves the WAL in the OS's cache, so nothing is lost.
    const config = ['-o', 'fsync=off'];
    const options = ['--port', String(port), '--start-conf', 'manual', ...config, '--', '--auth=trust', '--no-sync'];
    await run('pg_createcluster', [version, name, ...options]);
    await cluster.start();
    const admin = new Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`).finally(() => admin.end());
    return cluster;
  } catch (error) {
    await cluster.remove();
    throw error;
  }
}
