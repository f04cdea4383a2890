import { Logger } from '@nestjs/common';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * pglite-socket multiplexes connections per protocol message, not per query, so two connections clobber each
 * other's unnamed statement and portal. The server accepts one more, so a replacement is not refused while a
 * broken connection is still closing.
 */
export const EMBEDDED_POOL_SIZE = 1;
const EMBEDDED_SERVER_CONNECTIONS = EMBEDDED_POOL_SIZE + 1;

/** Served on a loopback port so the app uses the same `pg` driver and migrations; one process owns the folder. */
export class EmbeddedPostgres {
  private readonly logger = new Logger(EmbeddedPostgres.name);
  private db?: PGlite;
  private server?: PGLiteSocketServer;

  constructor(
    private readonly dataDir: string,
    private readonly port = 0,
  ) {}

  async start(): Promise<string> {
    const directory = resolve(this.dataDir, 'pglite');
    await mkdir(directory, { recursive: true });
    // Both packages are ESM-only; a dynamic import keeps this CommonJS build loading them.
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    this.db = await PGlite.create(directory);
    this.server = new PGLiteSocketServer({
      db: this.db,
      host: '127.0.0.1',
      port: this.port,
      maxConnections: EMBEDDED_SERVER_CONNECTIONS,
    });
    await this.server.start();
    const hostAndPort = this.server.getServerConn();
    this.logger.log(`Embedded PostgreSQL (PGlite) at ${directory}, listening on ${hostAndPort}`);
    return `postgres://postgres@${hostAndPort}/postgres`;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.db?.close();
    this.server = undefined;
    this.db = undefined;
  }
}
