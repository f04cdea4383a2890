import { Injectable, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { EventEmitter } from 'node:events';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Coordination } from '../coordination/coordination.port';
import { AppConfig } from '../config/app-config';
import { AutohealMetrics } from '../metrics/autoheal-metrics.service';
import { version } from '../../package.json';

const PING_TIMEOUT_MS = 2000;
/** A connection held this long without finishing anything is stuck, not busy. */
const STUCK_AFTER_MS = 10_000;
const startedAt = Date.now();

class PingTimeout extends Error {}

@Injectable()
export class HealthIndicators implements OnModuleInit {
  private completedQueries = 0;
  private readonly checkedOut = new Map<object, number>();

  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly coordination: Coordination,
    private readonly config: AppConfig,
    private readonly metrics: AutohealMetrics,
  ) {}

  onModuleInit(): void {
    // The same pings feed `autoheal_dependency_up` on every scrape.
    this.metrics.registerDependencyProbe('postgres', () => succeeds(this.pingDatabase()));
    if (this.coordination.mode === 'redis') this.metrics.registerDependencyProbe('redis', () => succeeds(this.pingCoordination()));
    const pool = (this.dataSource.driver as Partial<PostgresDriver>).master as EventEmitter | undefined;
    pool
      ?.on('acquire', (client: object) => this.checkedOut.set(client, Date.now()))
      .on('remove', (client: object) => this.checkedOut.delete(client))
      .on('release', (error: unknown, client: object) => {
        this.checkedOut.delete(client);
        if (!error) this.completedQueries++;
      });
  }

  /** A ping queued behind work that progresses (the embedded database has one connection) is busy, not down. */
  async checkDatabase() {
    const check = this.indicator.check('database');
    const kind = this.config.database.url ? 'postgres' : 'embedded';
    const before = this.completedQueries;
    try {
      await this.pingDatabase();
      this.metrics.setDependencyUp('postgres', true);
      return check.up({ kind });
    } catch (error) {
      const finished = this.completedQueries - before;
      if (error instanceof PingTimeout && finished > 0) {
        this.metrics.setDependencyUp('postgres', true);
        return check.up({ kind, busy: `the ping is queued; ${finished} queries finished in the last ${PING_TIMEOUT_MS}ms` });
      }
      const heldMs = this.checkedOut.size > 0 ? Date.now() - Math.min(...this.checkedOut.values()) : Infinity;
      if (error instanceof PingTimeout && heldMs < STUCK_AFTER_MS) {
        this.metrics.setDependencyUp('postgres', true);
        return check.up({ kind, busy: `the ping is queued behind a query running for ${heldMs}ms` });
      }
      this.metrics.setDependencyUp('postgres', false);
      return check.down({ kind, message: errorMessage(error) });
    }
  }

  /** Always "up": the service still records deliveries without Redis, though the engine takes no action. */
  async checkCoordination() {
    const check = this.indicator.check('coordination');
    const mode = this.coordination.mode;
    const warning =
      mode === 'memory' ? 'single-instance mode: coordination state is in memory; set REDIS_URL to run more than one instance' : undefined;
    try {
      await this.pingCoordination();
      if (mode === 'redis') this.metrics.setDependencyUp('redis', true);
      return check.up({ mode, reachable: true, ...(warning ? { warning } : {}) });
    } catch (error) {
      if (mode === 'redis') this.metrics.setDependencyUp('redis', false);
      return check.up({ mode, reachable: false, message: `unreachable, healing actions paused: ${errorMessage(error)}` });
    }
  }

  private pingDatabase(): Promise<unknown> {
    return withTimeout(this.dataSource.query('SELECT 1'), PING_TIMEOUT_MS);
  }

  private pingCoordination(): Promise<unknown> {
    return withTimeout(this.coordination.ping(), PING_TIMEOUT_MS);
  }

  checkService() {
    return this.indicator.check('service').up({ version, uptime_seconds: Math.round((Date.now() - startedAt) / 1000) });
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function succeeds(ping: Promise<unknown>): Promise<boolean> {
  return ping.then(
    () => true,
    () => false,
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PingTimeout(`no answer within ${ms}ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
