import { parseSigningKeys, SigningKey } from './signing-keys';
import { DEV_JWT_SECRET, EnvironmentVariables, LogFormat, NodeEnv, PredictorKind, validateEnv } from './env.schema';

export interface DatabaseSettings {
  /** Unset: the embedded PGlite database under `dataDir`. */
  url?: string;
  dataDir: string;
  poolSize: number;
  /** 0: any free port. */
  embeddedPort: number;
}

/** The only place that knows environment variable names; its own DI token, so tests can override it. */
export class AppConfig {
  readonly nodeEnv: NodeEnv;
  readonly port: number;
  readonly host: string;
  readonly logLevel: EnvironmentVariables['LOG_LEVEL'];
  readonly logFormat: LogFormat;
  readonly database: DatabaseSettings;
  readonly redisUrl?: string;
  readonly redisKeyPrefix: string;
  readonly jwt: { secret: string; issuer?: string; audience?: string };
  readonly autoheal: { configFile?: string; intervalSeconds: number };
  readonly predictor: PredictorKind;
  readonly replay: { allowPrivateTargets: boolean; timeoutMs: number };
  readonly recovery: { drainLockDurationMs: number };
  readonly notifyWebhookUrl?: string;
  /** Current key first; null when SIGNING_KEYS is unset. */
  readonly signingKeys: SigningKey[] | null;

  constructor(env: EnvironmentVariables) {
    this.nodeEnv = env.NODE_ENV;
    this.port = env.PORT;
    this.host = env.HOST;
    this.logLevel = env.LOG_LEVEL;
    this.logFormat = env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty');
    this.database = { url: env.DATABASE_URL, dataDir: env.DATA_DIR, poolSize: env.DATABASE_POOL_SIZE, embeddedPort: env.EMBEDDED_DB_PORT };
    this.redisUrl = env.REDIS_URL;
    this.redisKeyPrefix = env.REDIS_KEY_PREFIX;
    this.jwt = { secret: env.JWT_SECRET ?? DEV_JWT_SECRET, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE };
    this.autoheal = { configFile: env.AUTOHEAL_CONFIG_FILE, intervalSeconds: env.AUTOHEAL_INTERVAL_SECONDS };
    this.predictor = env.PREDICTOR;
    this.replay = {
      // Local receivers are the norm outside production; in production private targets are an SSRF risk.
      allowPrivateTargets: env.REPLAY_ALLOW_PRIVATE_TARGETS ?? env.NODE_ENV !== 'production',
      timeoutMs: env.REPLAY_TIMEOUT_MS,
    };
    this.recovery = { drainLockDurationMs: env.DRAIN_LOCK_DURATION_MS };
    this.notifyWebhookUrl = env.NOTIFY_WEBHOOK_URL;
    const keys = env.SIGNING_KEYS === undefined ? null : parseSigningKeys(env.SIGNING_KEYS);
    if (typeof keys === 'string') throw new Error(`SIGNING_KEYS: ${keys}`);
    this.signingKeys = keys;
  }

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }

  static fromEnv(raw: Record<string, unknown>): AppConfig {
    return new AppConfig(validateEnv(raw));
  }
}
