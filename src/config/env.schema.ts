import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Max, Min, MinLength, validateSync } from 'class-validator';
import { MIN_SECRET_LENGTH, SECRET_ADVICE, weakSecretReason } from './secret-strength';
import { parseSigningKeys } from './signing-keys';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A validation message never repeats these: their values are or hold credentials. */
const SECRET_VARIABLES = new Set(['JWT_SECRET', 'DATABASE_URL', 'REDIS_URL', 'NOTIFY_WEBHOOK_URL', 'SIGNING_KEYS']);

export const PREDICTORS = ['rules', 'learned'] as const;
export type PredictorKind = (typeof PREDICTORS)[number];

/** Production refuses to boot with it. */
export const DEV_JWT_SECRET = 'aetherlink-dev-only-secret-do-not-use-in-production';

const toBoolean = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  if (value === true || value === 'true' || value === '1') return true;
  if (value === false || value === 'false' || value === '0') return false;
  return value; // left as is so IsBoolean reports it
};
const toInt = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  return /^-?\d+$/.test(String(value)) ? Number(value) : value;
};
/** Durations take fractions, so tests can compress time. */
const toNumber = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(String(value)) ? Number(value) : value;
};
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** `.env.example` documents each one. */
export class EnvironmentVariables {
  @IsIn(NODE_ENVS)
  NODE_ENV: NodeEnv = 'development';

  @Transform(toInt)
  @Min(0)
  @Max(65535)
  @IsInt()
  PORT = 8010;

  @IsString()
  HOST = '0.0.0.0';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL?: string;

  @IsString()
  DATA_DIR = './data';

  /** Loopback; 0 picks a free one (`npm run db:psql` finds it either way). */
  @Transform(toInt)
  @Min(0)
  @Max(65535)
  @IsInt()
  EMBEDDED_DB_PORT = 0;

  @Transform(toBoolean)
  @IsBoolean()
  ALLOW_EMBEDDED_DB = false;

  @Transform(toInt)
  @Min(1)
  @Max(100)
  @IsInt()
  DATABASE_POOL_SIZE = 10;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true })
  REDIS_URL?: string;

  /** So several environments (or test runs) can share one Redis. */
  @IsString()
  REDIS_KEY_PREFIX = '';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16)
  JWT_SECRET?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  JWT_ISSUER?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  JWT_AUDIENCE?: string;

  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /** Unset: JSON lines in production, coloured text elsewhere. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(LOG_FORMATS)
  LOG_FORMAT?: LogFormat;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  AUTOHEAL_CONFIG_FILE?: string;

  /** Fractions allowed, so a test can compress time (0.5 = a cycle every 500 ms). */
  @Transform(toNumber)
  @Min(0)
  @Max(86400)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  AUTOHEAL_INTERVAL_SECONDS = 300;

  @IsIn(PREDICTORS)
  PREDICTOR: PredictorKind = 'rules';

  @Transform(toBoolean)
  @IsOptional()
  @IsBoolean()
  REPLAY_ALLOW_PRIVATE_TARGETS?: boolean;

  @Transform(toInt)
  @Min(100)
  @Max(120000)
  @IsInt()
  REPLAY_TIMEOUT_MS = 10000;

  /** A killed worker's drain moves to another instance after about this long. */
  @Transform(toNumber)
  @Min(100)
  @Max(600000)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  DRAIN_LOCK_DURATION_MS = 30000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  NOTIFY_WEBHOOK_URL?: string;

  /** `<key id>:<base64 32 bytes>[,…]`, the current key first; checked in validateEnv. Needed once signing settings exist. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  SIGNING_KEYS?: string;
}

function jwtSecretProblem(secret: string | undefined): string | null {
  const expected = `production requires a secret of at least ${MIN_SECRET_LENGTH} characters of random text; ${SECRET_ADVICE}`;
  if (!secret) return `JWT_SECRET: ${expected}`;
  if (secret === DEV_JWT_SECRET) return `JWT_SECRET: the development default cannot be used in production; ${SECRET_ADVICE}`;
  const weakness = weakSecretReason(secret);
  return weakness ? `JWT_SECRET: too weak, it ${weakness}; ${expected}` : null;
}

export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidEnvironmentError';
  }
}

/** One line per bad variable, naming it, so a misconfigured deployment stops before it serves anything. */
export function validateEnv(raw: Record<string, unknown>): EnvironmentVariables {
  const env = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const problems = validateSync(env, { stopAtFirstError: true }).map((error) => {
    const value = SECRET_VARIABLES.has(error.property) ? '(value hidden)' : JSON.stringify(error.value);
    return `${error.property}=${value}: ${Object.values(error.constraints ?? {}).join('; ')}`;
  });

  if (env.SIGNING_KEYS !== undefined) {
    const keys = parseSigningKeys(env.SIGNING_KEYS);
    if (typeof keys === 'string') problems.push(`SIGNING_KEYS=(value hidden): ${keys}`);
  }
  if (env.NODE_ENV === 'production') {
    const secretProblem = jwtSecretProblem(env.JWT_SECRET);
    if (secretProblem) problems.push(secretProblem);
    if (!env.DATABASE_URL && !env.ALLOW_EMBEDDED_DB) {
      problems.push(
        'DATABASE_URL: production requires a PostgreSQL server (set ' +
          'DATABASE_URL, or ALLOW_EMBEDDED_DB=true to accept the embedded database)',
      );
    }
  }
  if (problems.length > 0) throw new InvalidEnvironmentError(problems);
  return env;
}
