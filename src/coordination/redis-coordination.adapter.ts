import { randomUUID } from 'node:crypto';
import { Logger, LoggerService } from '@nestjs/common';
import Redis from 'ioredis';
import { checkIncrement, checkLimit, checkTtlMs } from './coordination-arguments';
import { Coordination, CoordinationMode } from './coordination.port';
import { ThrottledLog } from './throttled-log';

export const COORDINATION_NAMESPACE = 'autoheal:';
const TIMEOUT_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 2_000;
const ERROR_LOG_INTERVAL_MS = 30_000;

export type CoordinationLogger = Pick<LoggerService, 'log' | 'warn' | 'error'>;

export interface RedisCoordinationOptions {
  /** So test runs sharing one Redis stay apart, e.g. `test-1a2b:`. */
  prefix?: string;
  logger?: CoordinationLogger;
}

const INCREMENT = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2], 'NX')
return value`;

const RELEASE_IF_OWNER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const RENEW_IF_OWNER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

// Holder expiry is judged on the Redis server's clock (TIME), never the caller's: a fast instance would evict
// live holders and a slow one keep dead ones. Redis 7 replicates scripts by effects, so TIME before a write is allowed.
const ACQUIRE_SLOT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], string.format('%.0f', now + tonumber(ARGV[2])), ARGV[3])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 1`;

const RENEW_SLOT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local expires = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]) or '0')
if expires <= now then return 0 end
redis.call('ZADD', KEYS[1], 'XX', string.format('%.0f', now + tonumber(ARGV[2])), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 1`;

interface ScriptedRedis extends Redis {
  autohealIncrement(key: string, by: number, ttlMs: number): Promise<number>;
  autohealReleaseIfOwner(key: string, token: string): Promise<number>;
  autohealRenewIfOwner(key: string, token: string, ttlMs: number): Promise<number>;
  autohealAcquireSlot(key: string, limit: number, ttlMs: number, token: string): Promise<number>;
  autohealRenewSlot(key: string, token: string, ttlMs: number): Promise<number>;
}

/**
 * Fails fast: with Redis unreachable every call rejects within about two seconds instead of queueing, and
 * the engine reads a rejection as "take no action". Reconnection errors are logged, throttled, never fatal.
 */
export class RedisCoordination extends Coordination {
  readonly mode: CoordinationMode = 'redis';
  private readonly client: ScriptedRedis;
  private readonly namespace: string;
  private readonly logger: CoordinationLogger;
  private readonly errors: ThrottledLog;
  private readonly where: string;
  private down = false;

  constructor(url: string, options: RedisCoordinationOptions = {}) {
    super();
    this.namespace = COORDINATION_NAMESPACE + (options.prefix ?? '');
    this.logger = options.logger ?? new Logger(RedisCoordination.name);
    this.errors = new ThrottledLog((message) => this.logger.error(message), ERROR_LOG_INTERVAL_MS);
    this.where = describeWithoutCredentials(url);

    const client = new Redis(url, {
      connectionName: 'autoheal',
      connectTimeout: TIMEOUT_MS,
      commandTimeout: TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      // ioredis arms this timer even for a socket that already failed; its 2 s default would hold the process at shutdown.
      disconnectTimeout: 200,
      retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt - 1, 10), MAX_RECONNECT_DELAY_MS),
      // After a failover the old primary turns replica and refuses writes: reconnect to find the new one.
      reconnectOnError: (error) => error.message.startsWith('READONLY'),
    });
    client.on('error', (error: Error) => {
      this.down = true;
      this.errors.log(`Redis at ${this.where} is unreachable, healing actions pause until it answers: ${error.message}`);
    });
    client.on('ready', () => {
      if (this.down) this.logger.log(`Redis at ${this.where} answers again`);
      this.down = false;
      this.errors.reset();
    });
    client.defineCommand('autohealIncrement', { numberOfKeys: 1, lua: INCREMENT });
    client.defineCommand('autohealReleaseIfOwner', { numberOfKeys: 1, lua: RELEASE_IF_OWNER });
    client.defineCommand('autohealRenewIfOwner', { numberOfKeys: 1, lua: RENEW_IF_OWNER });
    client.defineCommand('autohealAcquireSlot', { numberOfKeys: 1, lua: ACQUIRE_SLOT });
    client.defineCommand('autohealRenewSlot', { numberOfKeys: 1, lua: RENEW_SLOT });
    this.client = client as ScriptedRedis;
  }

  /** Never rejects, so a boot with Redis down goes on (and `ping()` tells later). */
  waitUntilReady(): Promise<boolean> {
    if (this.client.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (ready: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady).off('error', onFailure).off('end', onFailure);
        resolve(ready);
      };
      const onReady = () => finish(true);
      const onFailure = () => finish(false);
      const timer = setTimeout(onFailure, TIMEOUT_MS + 500);
      this.client.on('ready', onReady).on('error', onFailure).on('end', onFailure);
    });
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.client.set(this.key(key), value, 'PX', checkTtlMs(ttlMs), 'NX')) === 'OK';
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.client.set(this.key(key), value, 'PX', checkTtlMs(ttlMs));
  }

  async get(key: string): Promise<string | null> {
    return this.client.get(this.key(key));
  }

  async ttlMs(key: string): Promise<number | null> {
    const ttl = await this.client.pttl(this.key(key));
    if (ttl === -2) return null;
    // -1: no expiry. Nothing here writes that, but a key set by hand must not read as absent (a cooldown would lapse).
    return ttl === -1 ? Number.POSITIVE_INFINITY : ttl;
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.del(this.key(key))) > 0;
  }

  async increment(key: string, ttlMs: number, by = 1): Promise<number> {
    return this.client.autohealIncrement(this.key(key), checkIncrement(by), checkTtlMs(ttlMs));
  }

  async count(key: string): Promise<number> {
    return Number((await this.client.get(this.key(key))) ?? 0);
  }

  async acquireLock(key: string, ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    return (await this.setIfAbsent(key, token, ttlMs)) ? token : null;
  }

  async renewLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.client.autohealRenewIfOwner(this.key(key), token, checkTtlMs(ttlMs))) === 1;
  }

  async releaseLock(key: string, token: string): Promise<boolean> {
    return (await this.client.autohealReleaseIfOwner(this.key(key), token)) === 1;
  }

  async acquireSlot(key: string, limit: number, ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    const acquired = await this.client.autohealAcquireSlot(this.key(key), checkLimit(limit), checkTtlMs(ttlMs), token);
    return acquired === 1 ? token : null;
  }

  async renewSlot(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.client.autohealRenewSlot(this.key(key), token, checkTtlMs(ttlMs))) === 1;
  }

  async releaseSlot(key: string, token: string): Promise<void> {
    await this.client.zrem(this.key(key), token);
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    if (this.client.status === 'end') return;
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // fall through: drop the socket instead
      }
    }
    this.client.disconnect();
  }

  private key(key: string): string {
    return this.namespace + key;
  }
}

function describeWithoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 6379}${parsed.pathname.length > 1 ? parsed.pathname : ''}`;
  } catch {
    return 'the configured REDIS_URL';
  }
}
