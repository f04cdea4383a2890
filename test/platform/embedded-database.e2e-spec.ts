import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '../../src/auth/token';
import { AppConfig } from '../../src/config/app-config';
import { runCli } from '../utils/cli';
import { freePort } from '../utils/private-redis';
import { ServiceProcess, startService } from '../utils/service-process';

/**
 * The default a newcomer gets from `npm start`: no DATABASE_URL, PGlite under DATA_DIR, the same
 * migrations. Run as the built process, since PGlite's loader needs real ESM (jest's VM lacks it).
 */
describe('the service on its embedded PostgreSQL (PGlite) default', () => {
  let dataDir: string;
  let port: number;
  let service: ServiceProcess | undefined;
  const admin = mintToken(AppConfig.fromEnv({ NODE_ENV: 'test' }), { subject: 'e2e', roles: ['admin'], ttl: '10m' });
  const get = (path: string) => fetch(`${service!.baseUrl}${path}`, { headers: { authorization: `Bearer ${admin}` } });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'autoheal-embedded-'));
    port = await freePort();
  });
  afterAll(async () => {
    await service?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  // PGlite compiles its WASM and migrates at first boot: slow on a loaded machine, so a wide deadline.
  const BOOT_MS = 150_000;
  const boot = () => startService({ DATA_DIR: dataDir, EMBEDDED_DB_PORT: String(port) }, BOOT_MS);

  it(
    'boots, migrates and answers /health with the embedded database',
    async () => {
      service = await boot();
      const res = await fetch(`${service.baseUrl}/health`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { info: Record<string, unknown> };
      expect(body.info.database).toMatchObject({ status: 'up', kind: 'embedded' });
      expect(body.info.coordination).toMatchObject({ mode: 'memory' });
      expect(service.output()).toMatch(/Applied migrations: InitialSchema/);
    },
    BOOT_MS + 10_000,
  );

  it(
    'records deliveries and keeps them across a restart',
    async () => {
      const ingest = await fetch(`${service!.baseUrl}/deliveries`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify([
          { id: 'dlv_embedded', tenant_id: 't1', target: 'https://example.com/hook', status: 'failed', http_status: 503 },
        ]),
      });
      expect(ingest.status).toBe(200);
      // A clean shutdown (not a crash) on SIGTERM, so PGlite flushed its files.
      expect([0, 'SIGTERM']).toContain(await service!.stop());

      service = await boot();
      expect(service.output()).not.toMatch(/Applied migrations/);
      const res = await get('/deliveries/dlv_embedded');
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: 'dlv_embedded', status: 'failed', triage_label: 'transient_endpoint_down' });
    },
    2 * BOOT_MS + 10_000,
  );

  it('listens on EMBEDDED_DB_PORT, where db:psql finds it while the service runs', async () => {
    const urlFile = join(dataDir, 'embedded-db.url');
    expect((await readFile(urlFile, 'utf8')).trim()).toBe(`postgres://postgres@127.0.0.1:${port}/postgres`);
    const query = "SELECT count(*) FROM deliveries WHERE id = 'dlv_embedded'";
    const psql = runCli('database/cli/db-psql.js', ['-Atc', query], { DATA_DIR: dataDir });
    expect(psql.stderr).toBe(`psql on the embedded database at 127.0.0.1:${port}/postgres (from ${urlFile})\n`);
    expect(psql.stdout.trim()).toBe('1');
    expect(psql.status).toBe(0);

    expect([0, 'SIGTERM']).toContain(await service!.stop());
    expect(existsSync(urlFile)).toBe(false);
  });
});
