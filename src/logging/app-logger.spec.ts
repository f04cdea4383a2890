import { AppConfig } from '../config/app-config';
import { AppLogger, AppLoggerOptions, secretsIn } from './app-logger';
import { currentLogContext, enterLogContext, runWithLogContext } from './log-context';

function linesOf(options: AppLoggerOptions, fn: (logger: AppLogger) => void): string[] {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    fn(new AppLogger(options));
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line !== '');
}

const json = (options: Partial<AppLoggerOptions>, fn: (logger: AppLogger) => void) =>
  linesOf({ format: 'json', level: 'log', ...options }, fn).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('AppLogger', () => {
  it('writes one JSON object per line with level, ISO time, context and the ids of its async context', () => {
    const records = json({}, (logger) => {
      logger.log('outside', 'Engine');
      runWithLogContext({ requestId: 'req-1' }, () => {
        runWithLogContext({ cycleId: 'cyc-1', incidentId: 'inc-1' }, () => logger.warn('inside', 'Engine'));
      });
    });
    expect(records).toEqual([
      expect.objectContaining({ level: 'log', context: 'Engine', message: 'outside' }),
      expect.objectContaining({
        level: 'warn',
        context: 'Engine',
        message: 'inside',
        request_id: 'req-1',
        cycle_id: 'cyc-1',
        incident_id: 'inc-1',
      }),
    ]);
    expect(records[0]).not.toHaveProperty('request_id');
    expect(new Date(records[0].time as string).toISOString()).toBe(records[0].time);
  });

  it('puts structured fields at the top level of the record', () => {
    const [record] = json({}, (logger) => logger.log('GET /health 200', { method: 'GET', status: 200 }, 'Access'));
    expect(record).toMatchObject({ message: 'GET /health 200', method: 'GET', status: 200, context: 'Access' });
  });

  it("keeps Nest's route table and module-init lines for debug, and shows them there", () => {
    const chatter = (logger: AppLogger) => {
      logger.log('Mapped {/health, GET} route', 'RouterExplorer');
      logger.log('AppModule dependencies initialized', 'InstanceLoader');
      logger.log('listening', 'Bootstrap');
    };
    expect(json({ level: 'log' }, chatter).map((r) => r.message)).toEqual(['listening']);
    expect(json({ level: 'debug' }, chatter).map((r) => [r.level, r.context])).toEqual([
      ['debug', 'RouterExplorer'],
      ['debug', 'InstanceLoader'],
      ['log', 'Bootstrap'],
    ]);
  });

  it('masks configured secrets, URL passwords and token shapes, in JSON and in text, stacks included', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVz';
    const say = (logger: AppLogger) => {
      logger.log(`secret s3cr3t-signing-key, header Bearer ${jwt}, bare ${jwt}`, 'X');
      logger.error('failed', `Error: redis://:pa55word@cache:6379 refused\n    at somewhere`, 'X');
      logger.log('hook', { url: 'https://hooks.slack.test/services/T0/B0/XYZ' }, 'X');
    };
    for (const format of ['json', 'pretty'] as const) {
      const text = linesOf({ format, level: 'log', secrets: ['s3cr3t-signing-key', '/services/T0/B0/XYZ'] }, say).join('\n');
      expect(text).toContain('[REDACTED]');
      for (const leaked of ['s3cr3t-signing-key', jwt, 'pa55word', '/services/T0/B0/XYZ']) expect(text).not.toContain(leaked);
    }
  });

  it('logs an error without a stack, as `new Logger(context).error(message)` passes it, in both formats', () => {
    for (const format of ['json', 'pretty'] as const) {
      const lines = linesOf({ format, level: 'log', secrets: ['s3cr3t-signing-key'] }, (logger) =>
        logger.error('Redis is unreachable', undefined, 'Redis'),
      );
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('Redis is unreachable');
    }
  });

  it('shows the ids in text mode too, and structured fields as key=value', () => {
    const [line] = linesOf({ format: 'pretty', level: 'log' }, (logger) =>
      runWithLogContext({ requestId: 'req-9' }, () => logger.log('hello', { request_id: 'req-9', status: 200, subject: 'alice' }, 'Api')),
    );
    expect(line).toMatch(/\[Api\] .*\(request_id=req-9\) .*hello.* status=200 subject=alice/);
    expect(line.match(/req-9/g)).toHaveLength(1);
  });
});

describe('secretsIn', () => {
  it('lists the signing secret, the URL passwords and the notification webhook', () => {
    const config = AppConfig.fromEnv({
      JWT_SECRET: 'a-signing-secret-of-some-length',
      DATABASE_URL: 'postgres://app:db%40pass@db:5432/autoheal',
      REDIS_URL: 'redis://:redispass@cache:6379',
      NOTIFY_WEBHOOK_URL: 'https://hooks.slack.test/services/T0/B0/XYZ',
    });
    expect(secretsIn(config)).toEqual(
      expect.arrayContaining(['a-signing-secret-of-some-length', 'db%40pass', 'db@pass', 'redispass', '/services/T0/B0/XYZ']),
    );
  });
});

describe('log context', () => {
  it('adds fields for the rest of an async function without leaking them to its caller', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const cycle = async () => {
      await Promise.resolve();
      enterLogContext({ cycleId: 'cyc-2' });
      await new Promise((resolve) => setImmediate(resolve));
      seen.push({ ...currentLogContext() });
    };
    await runWithLogContext({ requestId: 'req-2' }, async () => {
      await cycle();
      seen.push({ ...currentLogContext() });
    });
    expect(seen).toEqual([{ requestId: 'req-2', cycleId: 'cyc-2' }, { requestId: 'req-2' }]);
  });
});
