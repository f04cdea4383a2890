import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../clock/clock';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { AutohealEngine } from '../engine/autoheal-engine.service';
import { RulesSource } from '../rules/rules.source';
import type { AutohealRules } from '../rules/rules.types';

export const PROBE_JOB = 'autoheal-probe-loop';

/** The probe loop's period: the shortest RECOVER_BACKLOG.probe_interval_seconds, global or of any tenant (read at boot). */
export function probeIntervalSeconds(rules: AutohealRules): number {
  const tenants = Object.values(rules.tenant_overrides)
    .map((o) => o.strategy_limits?.RECOVER_BACKLOG?.probe_interval_seconds)
    .filter((s): s is number => s !== undefined);
  return Math.min(rules.strategy_limits.RECOVER_BACKLOG.probe_interval_seconds ?? 60, ...tenants);
}

/**
 * Probes do not wait for the cycle: every probe interval a live run of the engine over the active
 * incidents only (no detection query), through the same safety checks. Each incident's own
 * next_probe_at decides whether it is due. Off with scheduled healing (AUTOHEAL_INTERVAL_SECONDS=0).
 */
@Injectable()
export class ProbeLoop implements OnApplicationBootstrap {
  private readonly logger = new Logger(ProbeLoop.name);
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly engine: AutohealEngine,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly rules: RulesSource,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.autoheal.intervalSeconds === 0) return;
    const seconds = probeIntervalSeconds(this.rules.current());
    this.registry.addInterval(
      PROBE_JOB,
      setInterval(() => void this.tick(), seconds * 1000),
    );
    this.logger.log(`Probing incidents every ${seconds}s`);
  }

  /** One probe tick, unless the previous one is still running. Never throws. */
  tick(): Promise<void> {
    this.inFlight ??= this.engine
      .runCycle(this.clock.now(), false, 'probe')
      .then(
        (result) => {
          const { actions_taken: taken, actions_skipped: skipped } = result;
          if (taken.length > 0) this.logger.log(`Probe tick: ${taken.length} actions, ${skipped.length} skipped`);
        },
        (error: unknown) => {
          // Refused (kill switch, a cycle holding the lock): the next tick tries again.
          if (error instanceof DomainError) this.logger.debug(`Probe tick not run: ${error.message}`);
          else this.logger.error(`Probe tick failed: ${error instanceof Error ? error.stack : error}`);
        },
      )
      .finally(() => (this.inFlight = null));
    return this.inFlight;
  }
}
