import { join } from 'node:path';

/** Where a running service leaves its embedded database's URL (no password: PGlite has none). */
export function embeddedUrlFile(dataDir: string): string {
  return join(dataDir, 'embedded-db.url');
}
