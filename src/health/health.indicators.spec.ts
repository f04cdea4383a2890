import { HealthIndicatorService } from '@nestjs/terminus';
import { EventEmitter } from 'node:events';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { MemoryCoordination } from '../coordination/memory-coordination.adapter';
import { AutohealMetrics } from '../metrics/autoheal-metrics.service';
import { HealthIndicators } from './health.indicators';

describe('HealthIndicators.checkDatabase', () => {
  const pool = new EventEmitter();
  let answer: Promise<unknown>;
  const dataSource = { driver: { master: pool }, query: () => answer } as unknown as DataSource;
  let indicators: HealthIndicators;

  beforeEach(() => {
    jest.useFakeTimers();
    indicators = new HealthIndicators(
      new HealthIndicatorService(),
      dataSource,
      new MemoryCoordination(),
      AppConfig.fromEnv({}),
      new AutohealMetrics(),
    );
    indicators.onModuleInit();
  });
  afterEach(() => {
    jest.useRealTimers();
    pool.removeAllListeners();
  });

  it('is up when the ping answers', async () => {
    answer = Promise.resolve([{ '?column?': 1 }]);
    await expect(indicators.checkDatabase()).resolves.toEqual({ database: { status: 'up', kind: 'embedded' } });
  });

  it('is down when the ping fails', async () => {
    answer = Promise.reject(new Error('connect ECONNREFUSED'));
    await expect(indicators.checkDatabase()).resolves.toEqual({
      database: { status: 'down', kind: 'embedded', message: 'connect ECONNREFUSED' },
    });
  });

  it('is down when the ping waits and no query finishes meanwhile', async () => {
    answer = new Promise(() => undefined);
    const check = indicators.checkDatabase();
    pool.emit('release', new Error('connection terminated'));
    await jest.advanceTimersByTimeAsync(2000);
    await expect(check).resolves.toEqual({ database: { status: 'down', kind: 'embedded', message: 'no answer within 2000ms' } });
  });

  it('is up but busy when the ping waits behind one query that has run for less than 10 s', async () => {
    answer = new Promise(() => undefined);
    const running = {};
    pool.emit('acquire', running);
    await jest.advanceTimersByTimeAsync(5000);
    const check = indicators.checkDatabase();
    await jest.advanceTimersByTimeAsync(2000);
    await expect(check).resolves.toEqual({
      database: { status: 'up', kind: 'embedded', busy: 'the ping is queued behind a query running for 7000ms' },
    });
  });

  it('is down when a connection has been held for over 10 s and nothing finished', async () => {
    answer = new Promise(() => undefined);
    pool.emit('acquire', {});
    await jest.advanceTimersByTimeAsync(9000);
    const check = indicators.checkDatabase();
    await jest.advanceTimersByTimeAsync(2000);
    await expect(check).resolves.toEqual({ database: { status: 'down', kind: 'embedded', message: 'no answer within 2000ms' } });
  });

  it('is up but busy when the ping waits behind queries that do finish', async () => {
    answer = new Promise(() => undefined);
    const check = indicators.checkDatabase();
    pool.emit('release', undefined);
    pool.emit('release', undefined);
    await jest.advanceTimersByTimeAsync(2000);
    await expect(check).resolves.toEqual({
      database: { status: 'up', kind: 'embedded', busy: 'the ping is queued; 2 queries finished in the last 2000ms' },
    });
  });
});
