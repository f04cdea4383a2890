import { randomBytes, randomUUID } from 'node:crypto';
import { DEV_JWT_SECRET, InvalidEnvironmentError, validateEnv } from './env.schema';
import { AppConfig } from './app-config';

/** What `openssl rand -base64 48` prints. */
const STRONG_SECRET = 'kR9vQ2xL7mZp4TqW8nYc3BfH6dJs1GaE5uVo0iXe+KlMtNwPzSbAyCgDhFjUr/Q=';

function problemsOf(raw: Record<string, string>): string[] {
  try {
    validateEnv(raw);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) return error.problems;
    throw error;
  }
  return [];
}

describe('validateEnv', () => {
  it('applies the defaults from the guide', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({ NODE_ENV: 'development', PORT: 8010, DATA_DIR: './data', AUTOHEAL_INTERVAL_SECONDS: 300 });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ DATABASE_URL: 'mysql://x@localhost/db' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ ALLOW_EMBEDDED_DB: 'yes' }, 'ALLOW_EMBEDDED_DB'],
    [{ AUTOHEAL_INTERVAL_SECONDS: '-1' }, 'AUTOHEAL_INTERVAL_SECONDS'],
    [{ NOTIFY_WEBHOOK_URL: 'not a url' }, 'NOTIFY_WEBHOOK_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ AUTOHEAL_INTERVAL_SECONDS: 'often' }, 'AUTOHEAL_INTERVAL_SECONDS'],
    [{ PREDICTOR: 'neural' }, 'PREDICTOR'],
    [{ DRAIN_LOCK_DURATION_MS: '1e3' }, 'DRAIN_LOCK_DURATION_MS'],
    [{ DRAIN_LOCK_DURATION_MS: '50' }, 'DRAIN_LOCK_DURATION_MS'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT'],
    [{ EMBEDDED_DB_PORT: '70000' }, 'EMBEDDED_DB_PORT'],
    [{ EMBEDDED_DB_PORT: 'any' }, 'EMBEDDED_DB_PORT'],
  ])('rejects %j naming %s', (raw, variable) => {
    const problems = problemsOf(raw);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}`));
  });

  it('accepts a fractional interval and defaults the predictor to the rules', () => {
    expect(validateEnv({ AUTOHEAL_INTERVAL_SECONDS: '0.5' })).toMatchObject({ AUTOHEAL_INTERVAL_SECONDS: 0.5, PREDICTOR: 'rules' });
  });

  it('takes fractional durations', () => {
    expect(validateEnv({ DRAIN_LOCK_DURATION_MS: '250.5' }).DRAIN_LOCK_DURATION_MS).toBe(250.5);
    expect(AppConfig.fromEnv({}).recovery.drainLockDurationMs).toBe(30000);
  });

  it('never repeats the value of a variable that holds a credential', () => {
    const problems = problemsOf({ JWT_SECRET: 'hunter2', REDIS_URL: 'redis//:hunter3@cache', DATABASE_URL: 'mysql://u:hunter4@db/x' });
    expect(problems.map((p) => p.split('=')[0])).toEqual(['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET']);
    expect(problems.join('\n')).not.toMatch(/hunter/);
  });

  it('checks SIGNING_KEYS when set (never repeating it), and leaves it unset otherwise', () => {
    const weak = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
    const problems = problemsOf({ SIGNING_KEYS: weak });
    expect(problems).toEqual([expect.stringMatching(/^SIGNING_KEYS=\(value hidden\): key "k1" is too weak/)]);
    expect(problems.join('\n')).not.toContain(weak.slice(3));
    expect(problemsOf({ SIGNING_KEYS: 'k1:c2hvcnQ=' })).toEqual([
      expect.stringMatching(/^SIGNING_KEYS=\(value hidden\): key "k1" is 5 bytes/),
    ]);
    expect(AppConfig.fromEnv({}).signingKeys).toBeNull();
    const good = randomBytes(32);
    expect(AppConfig.fromEnv({ SIGNING_KEYS: `k2:${good.toString('base64')}` }).signingKeys).toEqual([{ id: 'k2', key: good }]);
  });

  it('reports every bad variable at once', () => {
    expect(problemsOf({ PORT: 'x', NODE_ENV: 'y' }).map((p) => p.split('=')[0])).toEqual(['NODE_ENV', 'PORT']);
  });

  describe('in production', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://app@db:5432/autoheal' };

    it('refuses to boot without a JWT_SECRET', () => {
      expect(problemsOf(production)).toEqual([expect.stringMatching(/^JWT_SECRET: production requires a secret of at least 32/)]);
    });

    it('refuses a JWT_SECRET shorter than 32 characters', () => {
      expect(problemsOf({ ...production, JWT_SECRET: 'x'.repeat(31) })).toEqual([expect.stringMatching(/^JWT_SECRET/)]);
    });

    it('refuses the development default secret', () => {
      expect(problemsOf({ ...production, JWT_SECRET: DEV_JWT_SECRET })).toEqual([expect.stringMatching(/development default/)]);
    });

    it('refuses the embedded database unless ALLOW_EMBEDDED_DB=true', () => {
      const secret = { JWT_SECRET: STRONG_SECRET };
      expect(problemsOf({ NODE_ENV: 'production', ...secret })).toEqual([expect.stringMatching(/^DATABASE_URL: production requires/)]);
      expect(problemsOf({ NODE_ENV: 'production', ALLOW_EMBEDDED_DB: 'true', ...secret })).toEqual([]);
    });

    it('boots with a real database and a long secret', () => {
      expect(problemsOf({ ...production, JWT_SECRET: STRONG_SECRET })).toEqual([]);
    });

    it.each([
      ['36 identical characters', 's'.repeat(36), /uses only 1 distinct characters/],
      ['two characters alternating', 'ab'.repeat(18), /uses only 2 distinct characters/],
      ['a repeated word', 'changeme'.repeat(5), /contains "changeme"/],
      ['a placeholder sentence', 'my-super-secret-jwt-key-for-production-2024', /contains "secret"/],
      ['the usual password', 'Password1234567890Password1234567890', /contains "password"/],
      ['the example in the docs', 'replace-with-openssl-rand-base64-48-output', /contains "replace"/],
      ['the test suite secret', 'a-test-secret-that-is-long-enough', /contains "secret"/],
      ['the development default, altered', `${DEV_JWT_SECRET}!`, /contains "aetherlink-dev-only"/],
      ['a random string twice', 'Xq7Lm2Vz9Rt4Kp1W'.repeat(2), /repeats a shorter string/],
      ['the alphabet and digits', 'abcdefghijklmnopqrstuvwxyz0123456789', /run of neighbouring characters/],
      ['a keyboard walk of few keys', 'qwertyqwertyqwertyqwertyqwertyqw', /uses only 6 distinct characters/],
      ['low entropy with enough distinct characters', `${'a'.repeat(40)}bcdefghijk`, /bits of entropy per character/],
    ])('refuses a weak secret: %s', (_, secret, why) => {
      const problems = problemsOf({ ...production, JWT_SECRET: secret });
      expect(problems).toEqual([expect.stringMatching(/^JWT_SECRET: too weak, it /)]);
      expect(problems[0]).toMatch(why);
      expect(problems[0]).toMatch(/at least 32 characters of random text; generate one with `openssl rand -base64 48`/);
    });

    it.each([
      ['openssl rand -base64 48', () => randomBytes(48).toString('base64')],
      ['openssl rand -hex 32', () => randomBytes(32).toString('hex')],
      ['a UUID', () => randomUUID()],
      ['24 random bytes in base64url', () => randomBytes(24).toString('base64url')],
    ])('accepts random secrets: %s', (_, generate) => {
      const refused = Array.from({ length: 200 }, generate).filter(
        (secret) => problemsOf({ ...production, JWT_SECRET: secret }).length > 0,
      );
      expect(refused).toEqual([]);
    });
  });
});

describe('AppConfig', () => {
  it('allows private replay targets outside production only, unless told', () => {
    expect(AppConfig.fromEnv({}).replay.allowPrivateTargets).toBe(true);
    const prod = { NODE_ENV: 'production', DATABASE_URL: 'postgres://a@b/c', JWT_SECRET: STRONG_SECRET };
    expect(AppConfig.fromEnv(prod).replay.allowPrivateTargets).toBe(false);
    expect(AppConfig.fromEnv({ ...prod, REPLAY_ALLOW_PRIVATE_TARGETS: 'true' }).replay.allowPrivateTargets).toBe(true);
  });

  it('logs JSON lines in production and text elsewhere, unless told', () => {
    const prod = { NODE_ENV: 'production', DATABASE_URL: 'postgres://a@b/c', JWT_SECRET: STRONG_SECRET };
    expect(AppConfig.fromEnv(prod).logFormat).toBe('json');
    expect(AppConfig.fromEnv({ ...prod, LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(AppConfig.fromEnv({}).logFormat).toBe('pretty');
    expect(AppConfig.fromEnv({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
  });

  it('gives the embedded database a fixed port when asked, any free one otherwise', () => {
    expect(AppConfig.fromEnv({}).database.embeddedPort).toBe(0);
    expect(AppConfig.fromEnv({ EMBEDDED_DB_PORT: '54329' }).database.embeddedPort).toBe(54329);
  });

  it('uses the development secret when none is set outside production', () => {
    expect(AppConfig.fromEnv({}).jwt.secret).toBe(DEV_JWT_SECRET);
  });
});
