import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../..');

describe('src/metadata.ts (the swagger plugin output the OpenAPI document is built from)', () => {
  it('is what `npm run openapi:metadata` generates from the current DTOs and controllers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openapi-metadata-'));
    try {
      await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/openapi-metadata.mjs'), dir], { cwd: ROOT });
      const fresh = await readFile(join(dir, 'metadata.ts'), 'utf8');
      const committed = await readFile(join(ROOT, 'src/metadata.ts'), 'utf8');
      expect(fresh.length).toBeGreaterThan(1000);
      // When this fails: run `npm run openapi:metadata` and commit src/metadata.ts.
      expect(committed).toBe(fresh);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
