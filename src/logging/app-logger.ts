import { ConsoleLogger, LogLevel } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { logContextFields } from './log-context';

const LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

/** Shown from `debug` on. */
const BOOT_NOISE = new Set(['RoutesResolver', 'RouterExplorer', 'InstanceLoader', 'NestFactory', 'NestApplication']);

const REDACTED = '[REDACTED]';
const SECRET_SHAPES: Array<[RegExp, string]> = [
  [/\bBearer\s+[A-Za-z0-9._~+/-]+=*/gi, `Bearer ${REDACTED}`],
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+/g, REDACTED],
  // The password part of any URL's user info (postgres://user:pw@host, redis://:pw@host).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]+@/gi, `$1:${REDACTED}@`],
];
// Passwords this short would blank out ordinary words; nobody configures one that short in earnest.
const MIN_SECRET_LENGTH = 4;

export type LogFormat = 'json' | 'pretty';

export interface AppLoggerOptions {
  format: LogFormat;
  level: (typeof LEVELS)[number];
  secrets?: string[];
}

/** Every record carries the request/cycle/incident ids of its async context; secrets and token-like strings are masked. */
export class AppLogger extends ConsoleLogger {
  private readonly secrets: string[];

  constructor(options: AppLoggerOptions) {
    super({
      json: options.format === 'json',
      logLevels: levelsUpTo(options.level),
      flattenParams: true,
      redact: ['authorization', 'password', 'secret', 'token', 'cookie'],
    });
    const secrets = (options.secrets ?? []).filter((secret) => secret.length >= MIN_SECRET_LENGTH);
    // Longest first, so a secret that contains another is masked whole.
    this.secrets = [...new Set(secrets)].sort((a, b) => b.length - a.length);
  }

  static forConfig(config: AppConfig): AppLogger {
    return new AppLogger({ format: config.logFormat, level: config.logLevel, secrets: secretsIn(config) });
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    const last = optionalParams.at(-1);
    const context = typeof last === 'string' ? last : this.context;
    if (context && BOOT_NOISE.has(context)) return this.debug(message, ...optionalParams);
    super.log(message, ...optionalParams);
  }

  scrub(text: string): string {
    let result = text;
    for (const secret of this.secrets) result = result.split(secret).join(REDACTED);
    for (const [shape, replacement] of SECRET_SHAPES) result = result.replace(shape, replacement);
    return result;
  }

  protected override getJsonLogObject(message: unknown, options: Parameters<ConsoleLogger['getJsonLogObject']>[1]) {
    const record = super.getJsonLogObject(message, options);
    const { level, ...rest } = record;
    return { level, time: new Date(record.timestamp).toISOString(), ...logContextFields(), ...rest };
  }

  protected override stringifyJsonLogObject(logObject: Record<string, unknown>): string {
    return this.scrub(super.stringifyJsonLogObject(logObject));
  }

  protected override formatContext(context: string): string {
    const ids = Object.entries(logContextFields()).map(([key, value]) => `${key}=${value}`);
    return super.formatContext(context) + (ids.length > 0 ? `(${ids.join(' ')}) ` : '');
  }

  /** Leaves out the ids the line already shows. */
  protected override stringifyParams(params: Record<string, unknown>): string {
    const ids: Record<string, unknown> = logContextFields();
    return Object.entries(params)
      .filter(([key, value]) => ids[key] !== value)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
  }

  protected override formatMessage(
    logLevel: LogLevel,
    message: unknown,
    ...rest: [string, string, string, string, Record<string, unknown>?]
  ): string {
    return this.scrub(super.formatMessage(logLevel, message, ...rest));
  }

  /** `Logger.error(message)` comes here with no stack: a throw from a logger would crash whoever logged. */
  protected override printStackTrace(stack: string | undefined): void {
    if (stack) super.printStackTrace(this.scrub(stack));
  }
}

function levelsUpTo(level: AppLoggerOptions['level']): LogLevel[] {
  return ['fatal', ...LEVELS.slice(0, LEVELS.indexOf(level) + 1)];
}

export function secretsIn(config: AppConfig): string[] {
  const secrets = [config.jwt.secret];
  for (const url of [config.database.url, config.redisUrl]) {
    const password = url ? passwordOf(url) : undefined;
    if (password) secrets.push(password, decodeURIComponent(password));
  }
  if (config.notifyWebhookUrl) {
    // A Slack incoming-webhook URL is its own credential: its path is the secret.
    const { pathname } = new URL(config.notifyWebhookUrl);
    secrets.push(config.notifyWebhookUrl);
    if (pathname.length > 1) secrets.push(pathname);
  }
  for (const { key } of config.signingKeys ?? []) secrets.push(key.toString('base64'));
  return secrets;
}

function passwordOf(url: string): string | undefined {
  try {
    return new URL(url).password || undefined;
  } catch {
    return undefined;
  }
}
