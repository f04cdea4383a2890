import { execFile } from 'node:child_process';
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
    [{ NODE_ENV: 'production', DATABASE_URL: 'postgres://a@127.0.0.1:1/x' }, /JWT_SECRET: production requires a secret of at least 32 characters/],
    [{ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }, /DATABASE_URL: production requires a PostgreSQL server/],
    [{ REDIS_URL: 'not-a-url' }, /REDIS_URL=/],
  ])('the service refuses to boot with %j and names the variable', async (bad, message) => {
    const failure = await run('node', [dist('main.js')], { cwd: root, env: env({ PORT: '0', ...bad }), timeout: 30_000 }).catch((e) => e);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toMatch(/^Boot failed: Invalid configuration/);
    expect(failure.stderr).toMatch(message);
  });
});
