import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { verify } from 'jsonwebtoken';
import { distFile as dist, requireBuild, ROOT as root } from '../utils/service-process';

const run = promisify(execFile);

/** The built service, as `npm start` and `npm run token` run it (`npm test` builds first). */
describe('command line', () => {
  beforeAll(requireBuild);

  const env = (extra: Record<string, string>) => ({ PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...extra });

  it('npm run token prints only a token signed with the configured secret', async () => {
    const secret = 'cli-test-secret-which-is-long-enough';
    const { stdout } = await run('node', [dist('auth/cli/mint-token.js'), '--role', 'operator', '--sub', 'alice', '--ttl', '10m'], {
      cwd: root,
      env: env({ JWT_SECRET: secret }),
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const claims = verify(lines[0], secret, { algorithms: ['HS256'] }) as { sub: string; roles: string[]; exp: number; iat: number };
    expect(claims).toMatchObject({ sub: 'alice', roles: ['operator'] });
    expect(claims.exp - claims.iat).toBe(600);
  });

  describe('npm run token', () => {
    const secret = 'cli-test-secret-which-is-long-enough';
    const claimsOf = (stdout: string) => verify(stdout.trim(), secret, { algorithms: ['HS256'] }) as { sub: string; roles: string[] };
    const mtimes = (dir: string) => ['main.js', 'auth/cli/mint-token.js'].map((file) => statSync(join(dir, 'dist', 'src', file)).mtimeMs);

    it('mints from the current build without rebuilding or deleting it', async () => {
      const before = mtimes(root);
      const { stdout, stderr } = await run('npm', ['run', 'token', '--', '--role', 'viewer', '--sub', 'bob'], {
        cwd: root,
        env: env({ JWT_SECRET: secret }),
      });
      expect(claimsOf(stdout)).toMatchObject({ sub: 'bob', roles: ['viewer'] });
      expect(stderr).not.toMatch(/compiling/);
      expect(existsSync(dist('main.js'))).toBe(true);
      expect(mtimes(root)).toEqual(before);
    });

    it('compiles in place, keeping dist/, only when a source is newer than the build', async () => {
      // A copy of the project, so the compile cannot touch the dist/ the other suites run.
      const copy = mkdtempSync(join(tmpdir(), 'autoheal-token-'));
      try {
        for (const entry of ['src', 'bench', 'scripts', 'dist', 'ormconfig.ts', 'package.json', 'tsconfig.json']) {
          cpSync(join(root, entry), join(copy, entry), { recursive: true, preserveTimestamps: true });
        }
        symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
        // token.js runs `tsc -p tsconfig.build.json`; over the whole project that takes half a minute (npm test's own
        // build already proves it compiles). What is under test is when token.js compiles and that it compiles in place,
        // so the copy's build config, dated as the real one, compiles only what the CLI imports.
        const buildConfig = join(copy, 'tsconfig.build.json');
        writeFileSync(buildConfig, JSON.stringify({ extends: './tsconfig.json', files: ['src/auth/cli/mint-token.ts'], include: [] }));
        const { atime, mtime } = statSync(join(root, 'tsconfig.build.json'));
        utimesSync(buildConfig, atime, mtime);
        const token = () =>
          run('node', [join(copy, 'scripts', 'token.js'), '--role', 'admin'], { cwd: copy, env: env({ JWT_SECRET: secret }) });

        const current = mtimes(copy);
        expect((await token()).stderr).not.toMatch(/compiling/);
        expect(mtimes(copy)).toEqual(current);

        const edited = new Date();
        utimesSync(join(copy, 'src', 'auth', 'roles.ts'), edited, edited);
        const rebuilt = await token();
        expect(rebuilt.stderr).toMatch(/dist\/ is older than the sources: compiling/);
        expect(claimsOf(rebuilt.stdout)).toMatchObject({ roles: ['admin'] });
        const [mainAfter, cliAfter] = mtimes(copy);
        expect(mainAfter).toBe(current[0]);
        expect(cliAfter).toBeGreaterThan(current[1]);

        expect((await token()).stderr).not.toMatch(/compiling/);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    });
  });

  it('npm run token -- --tenant scopes the token to those tenants; without one it is platform-wide', async () => {
    const secret = 'cli-test-secret-which-is-long-enough';
    const mintCli = (...args: string[]) =>
      run('node', [dist('auth/cli/mint-token.js'), '--role', 'ingest', ...args], { cwd: root, env: env({ JWT_SECRET: secret }) });
    const mint = async (...args: string[]) => (await mintCli(...args)).stdout.trim();
    expect(verify(await mint('--tenant', 't1', '--tenant', 't2'), secret)).toMatchObject({ roles: ['ingest'], tenants: ['t1', 't2'] });
    expect(verify(await mint(), secret)).not.toHaveProperty('tenants');
    await expect(mintCli('--tenant', '')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--tenant: tenants\[0\]: must be a tenant id of 1 to 200 characters without NUL/),
    });
  });

  it('refuses an unknown role', async () => {
    await expect(run('node', [dist('auth/cli/mint-token.js'), '--role', 'root'], { cwd: root, env: env({}) })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--role is required, one or more of: admin, operator, ingest, viewer \(unknown: root\)/),
    });
  });

  it.each([
    [{ PORT: 'abc' }, /PORT="abc": PORT must be an integer/],
    [
      { NODE_ENV: 'production', DATABASE_URL: 'postgres://a@127.0.0.1:1/x' },
      /JWT_SECRET: production requires a secret of at least 32 characters/,
    ],
    [{ NODE_ENV: 'production', JWT_SECRET: 'Vb3kQ9zT1wLm7Rc2Xy8Np4Hd6Gf0Ja5S' }, /DATABASE_URL: production requires a PostgreSQL server/],
    [{ NODE_ENV: 'production', DATABASE_URL: 'postgres://a@127.0.0.1:1/x', JWT_SECRET: 'x'.repeat(40) }, /JWT_SECRET: too weak/],
    [{ REDIS_URL: 'not-a-url' }, /REDIS_URL=/],
  ])('the service refuses to boot with %j and names the variable', async (bad, message) => {
    const failure = await run('node', [dist('main.js')], { cwd: root, env: env({ PORT: '0', ...bad }), timeout: 30_000 }).catch((e) => e);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toMatch(/^Boot failed: Invalid configuration/);
    expect(failure.stderr).toMatch(message);
  });
});
