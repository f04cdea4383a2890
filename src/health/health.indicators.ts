import { Injectable, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { Coordination } from '../coordination/coordination.port';
import { AppConfig } from '../config/app-config';
import { AutohealMetrics } from '../metrics/autoheal-metrics.service';
import { version } from '../../package.json';

const PING_TIMEOUT_MS = 2000;
const startedAt = Date.now();

@Injectable()
export class HealthIndicators implements OnModuleInit {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly coordination: Coordination,
    private readonly config: AppConfig,
    private readonly metrics: AutohealMetrics,
  ) {}

  /** The same pings feed `autoheal_dependency_up` on every scrape. */
  onModuleInit(): void {
    this.metrics.registerDependencyProbe('postgres', () => succeeds(this.pingDatabase()));
    if (this.coordination.mode === 'redis') this.metrics.registerDependencyProbe('redis', () => succeeds(this.pingCoordination()));
  }

  async checkDatabase() {
    const check = this.indicator.check('database');
    const kind = this.config.database.url ? 'postgres' : 'embedded';
    try {
      await this.pingDatabase();
      this.metrics.setDependencyUp('postgres', true);
      return check.up({ kind });
    } catch (error) {
      this.metrics.setDependencyUp('postgres', false);
      return check.down({ kind, message: errorMessage(error) });
    }
  }

  /**
   * Always "up" for the HTTP status (the service still records deliveries without Redis), but it
   * says whether the store is reachable, since the engine takes no action when it is not.
   */
  async checkCoordination() {
    const check = this.indicator.check('coordination');
    const mode = this.coordination.mode;
    const warning = mode === 'memory' ? 'single-instance mode: coordination state is in memory; set REDIS_URL to run more than one instance' : undefined;
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
    timer = setTimeout(() => reject(new Error(`no answer within ${ms}ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
