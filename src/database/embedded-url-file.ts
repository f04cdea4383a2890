import { join } from 'node:path';

/** No password in it: PGlite has none. */
export function embeddedUrlFile(dataDir: string): string {
  return join(dataDir, 'embedded-db.url');
}
