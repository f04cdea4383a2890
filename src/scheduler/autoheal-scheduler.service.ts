import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../clock/clock';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { DeferralStore } from '../deferrals/deferral-store.port';
import { AutohealEngine, CycleTrigger } from '../engine/autoheal-engine.service';

const CYCLE_JOB = 'autoheal-cycle';
const RECHECK_JOB = 'autoheal-deferral-recheck';
const RECHECK_POLL_MS = 15_000;

/**
 * Thin on purpose: the engine checks the kill switch and takes the cluster lock. Every
 * AUTOHEAL_INTERVAL_SECONDS a live cycle; between them, a cycle when a deferral comes due.
 */
@Injectable()
export class AutohealScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(AutohealScheduler.name);
  private running = false;
  private lastRecheckFor: number | null = null;

  constructor(
    private readonly engine: AutohealEngine,
    private readonly deferrals: DeferralStore,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.autoheal.intervalSeconds;
    if (seconds === 0) {
      this.logger.log('Scheduled healing is off (AUTOHEAL_INTERVAL_SECONDS=0)');
      return;
    }
    this.registry.addInterval(
      CYCLE_JOB,
      setInterval(() => void this.tick('schedule'), seconds * 1000),
    );
    this.registry.addInterval(
      RECHECK_JOB,
      setInterval(() => void this.recheckIfDue(), Math.min(RECHECK_POLL_MS, seconds * 1000)),
    );
    this.logger.log(`Scheduled healing every ${seconds}s`);
  }

  /** One live cycle, unless this process is already running one. Never throws. */
  async tick(trigger: CycleTrigger): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const result = await this.engine.runCycle(this.clock.now(), false, trigger);
      this.logger.log(
        `Cycle (${trigger}): ${result.incidents_detected} incidents, ${result.actions_taken.length} ` +
          `actions, ${result.actions_skipped.length} skipped${result.dry_run ? ' (dry run)' : ''}`,
      );
    } catch (error) {
      if (error instanceof DomainError) this.logger.log(`Cycle (${trigger}) not run: ${error.message}`);
      else this.logger.error(`Cycle (${trigger}) failed: ${error instanceof Error ? error.stack : error}`);
    } finally {
      this.running = false;
    }
  }

  /** One recheck cycle per due time: a refused cycle (kill switch, lock) is not retried every poll. Never throws. */
  async recheckIfDue(): Promise<void> {
    try {
      const due = await this.deferrals.nextRecheckAt();
      if (!due || due > this.clock.now() || due.getTime() === this.lastRecheckFor) return;
      this.lastRecheckFor = due.getTime();
      await this.tick('recheck');
    } catch (error) {
      this.logger.warn(`Deferral recheck poll failed: ${error instanceof Error ? error.message : error}`);
    }
  }
}
