import { randomUUID } from 'node:crypto';
import net from 'node:net';
import Redis from 'ioredis';
import { MemoryCoordination } from '../../src/coordination/memory-coordination.adapter';
import { CoordinationLogger, RedisCoordination } from '../../src/coordination/redis-coordination.adapter';
import { eventually } from '../utils/eventually';
import { TEST_REDIS_URL } from '../utils/pg-admin';
import { deleteKeys } from '../utils/redis-keys';
import { describeCoordinationContract } from './coordination.contract';
import { TcpProxy } from './tcp-proxy';

class RecordingLogger implements CoordinationLogger {
  readonly logs: string[] = [];
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  log(message: string) {
    this.logs.push(message);
  }
  warn(message: string) {
    this.warnings.push(message);
  }
  error(message: string) {
    this.errors.push(message);
  }
}

describeCoordinationContract('MemoryCoordination', async () => {
  let now = Date.now();
  return {
    coordination: new MemoryCoordination(() => now),
    elapse: async (ms) => {
      now += ms;
    },
    dispose: async () => {},
  };
});

const runPrefix = `test-${randomUUID()}:`;

describeCoordinationContract('RedisCoordination', async () => {
  const coordination = new RedisCoordination(TEST_REDIS_URL, { prefix: runPrefix, logger: new RecordingLogger() });
  await coordination.waitUntilReady();
  return {
    coordination,
    // Redis expires keys on its own clock: a probe key set now with a TTL of `ms` is gone once `ms` have passed there.
    elapse: async (ms) => {
      const probe = `elapse:${randomUUID()}`;
      await coordination.set(probe, '1', ms);
      await eventually(async () => expect(await coordination.get(probe)).toBeNull(), ms + 10_000, 10);
    },
    dispose: async () => {
      await coordination.close();
      const raw = new Redis(TEST_REDIS_URL);
      await deleteKeys(raw, runPrefix).finally(() => raw.quit());
    },
  };
});

describe('RedisCoordination on a real Redis', () => {
  const prefix = `test-${randomUUID()}:`;
  let raw: Redis;
  let coordination: RedisCoordination;

  beforeAll(async () => {
    raw = new Redis(TEST_REDIS_URL);
    coordination = new RedisCoordination(TEST_REDIS_URL, { prefix, logger: new RecordingLogger() });
    await coordination.waitUntilReady();
  });
  afterAll(async () => {
    await coordination?.close();
    await deleteKeys(raw, prefix);
    await raw?.quit();
  });

  it('keeps every key under autoheal: and the prefix', async () => {
    await coordination.set('cooldown:ep-1', 'v', 60_000);
    await coordination.increment('heals:hour', 60_000);
    await coordination.acquireSlot('inflight', 3, 60_000);
    const keys = await raw.keys(`autoheal:${prefix}*`);
    expect(keys.sort()).toEqual([`autoheal:${prefix}cooldown:ep-1`, `autoheal:${prefix}heals:hour`, `autoheal:${prefix}inflight`]);
    expect(await raw.get('cooldown:ep-1')).toBeNull();
  });

  it('gives counters and semaphores an expiry, so nothing is left behind in Redis', async () => {
    await coordination.increment('heals:other-hour', 60_000);
    await coordination.acquireSlot('inflight-ttl', 3, 5_000);
    await coordination.acquireSlot('inflight-ttl', 3, 60_000);
    const counterTtl = await raw.pttl(`autoheal:${prefix}heals:other-hour`);
    const slotsTtl = await raw.pttl(`autoheal:${prefix}inflight-ttl`);
    expect(counterTtl).toBeGreaterThan(0);
    expect(counterTtl).toBeLessThanOrEqual(60_000);
    // The set lives as long as its longest holder, not its latest or shortest one.
    expect(slotsTtl).toBeGreaterThan(5_000);
    await coordination.acquireSlot('inflight-ttl', 3, 1_000);
    expect(await raw.pttl(`autoheal:${prefix}inflight-ttl`)).toBeGreaterThan(5_000);
  });

  it('does not read a key without expiry as absent', async () => {
    await raw.set(`autoheal:${prefix}set-by-hand`, 'v');
    expect(await coordination.ttlMs('set-by-hand')).toBe(Number.POSITIVE_INFINITY);
  });

  it('cleans up after the test run (the helper finds the keys it must delete)', async () => {
    const other = `test-${randomUUID()}:`;
    const scoped = new RedisCoordination(TEST_REDIS_URL, { prefix: other, logger: new RecordingLogger() });
    await scoped.waitUntilReady();
    await scoped.set('a', '1', 60_000);
    await scoped.set('b', '2', 60_000);
    await scoped.close();
    expect(await deleteKeys(raw, other)).toBe(2);
    expect(await raw.keys(`autoheal:${other}*`)).toEqual([]);
  });
});

describe('RedisCoordination when Redis is unreachable', () => {
  let consoleError: jest.SpyInstance;

  beforeEach(() => {
    consoleError = jest.spyOn(console, 'error');
  });
  afterEach(() => consoleError.mockRestore());

  it('rejects every call instead of waiting, logs the outage, and raises no unhandled error', async () => {
    const logger = new RecordingLogger();
    const coordination = new RedisCoordination('redis://127.0.0.1:1', { logger });
    try {
      expect(await coordination.waitUntilReady()).toBe(false);
      await expect(coordination.ping()).rejects.toThrow();
      await expect(coordination.setIfAbsent('cooldown:x', 'v', 1_000)).rejects.toThrow();
      await expect(coordination.acquireLock('cycle', 1_000)).rejects.toThrow();
      await expect(coordination.increment('heals', 1_000)).rejects.toThrow();
      await expect(coordination.acquireSlot('inflight', 1, 1_000)).rejects.toThrow();
      await expect(coordination.releaseLock('cycle', 'token')).rejects.toThrow();
      expect(logger.errors).toHaveLength(1);
      expect(logger.errors[0]).toMatch(/127\.0\.0\.1:1 is unreachable.*ECONNREFUSED/);
    } finally {
      await coordination.close();
    }
    const ioredisComplaints = consoleError.mock.calls.filter((args) => String(args[0]).includes('[ioredis]'));
    expect(ioredisComplaints).toEqual([]);
  });

  it('logs failed reconnect attempts once, not once each', async () => {
    // A server that counts connection attempts and resets each one, so the attempts can be waited for.
    let attempts = 0;
    const server = net.createServer((socket) => {
      attempts++;
      socket.resetAndDestroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const logger = new RecordingLogger();
    const coordination = new RedisCoordination(`redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`, { logger });
    try {
      await eventually(() => expect(attempts).toBeGreaterThanOrEqual(4), 20_000);
      expect(logger.errors).toHaveLength(1);
      expect(logger.errors[0]).toMatch(/is unreachable, healing actions pause/);
    } finally {
      await coordination.close();
      await new Promise((resolve) => server.close(resolve));
    }
    const ioredisComplaints = consoleError.mock.calls.filter((args) => String(args[0]).includes('[ioredis]'));
    expect(ioredisComplaints).toEqual([]);
  });

  it('does not put credentials from the URL in its logs', async () => {
    const logger = new RecordingLogger();
    const coordination = new RedisCoordination('redis://user:s3cret-pass@127.0.0.1:1/0', { logger });
    await coordination.waitUntilReady();
    await coordination.close();
    expect(logger.errors.join('\n')).not.toContain('s3cret-pass');
    expect(logger.errors[0]).toContain('127.0.0.1:1');
  });

  it('fails while Redis is gone and recovers on its own once it answers again', async () => {
    const redisUrl = new URL(TEST_REDIS_URL);
    const proxy = new TcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    const port = await proxy.start();
    const logger = new RecordingLogger();
    const coordination = new RedisCoordination(`redis://127.0.0.1:${port}`, { logger, prefix: `test-${randomUUID()}:` });
    try {
      expect(await coordination.waitUntilReady()).toBe(true);
      const key = 'recovery';
      expect(await coordination.setIfAbsent(key, 'v', 60_000)).toBe(true);

      await proxy.stop();
      await expect(coordination.ping()).rejects.toThrow();
      await expect(coordination.get(key)).rejects.toThrow();

      await proxy.start(port);
      await eventually(() => coordination.ping());
      expect(await coordination.get(key)).toBe('v');
      expect(await coordination.delete(key)).toBe(true);
      expect(logger.errors.length).toBeGreaterThanOrEqual(1);
      expect(logger.logs.some((message) => message.includes('answers again'))).toBe(true);
    } finally {
      await coordination.close();
      await proxy.stop();
    }
  });
});
