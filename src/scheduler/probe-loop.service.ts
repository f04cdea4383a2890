import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../clock/clock';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { AutohealEngine } from '../engine/autoheal-engine.service';
import type { IncidentRecord } from '../incidents/incident';
import { IncidentStore } from '../incidents/incident-store.port';
import { RulesSource } from '../rules/rules.source';
import type { AutohealRules } from '../rules/rules.types';

export const PROBE_JOB = 'autoheal-probe-loop';
/** A wake-up for a due probe comes this long after its next_probe_at, so the tick's clock is past it. */
export const PROBE_WAKE_MARGIN_MS = 2;

/** The probe loop's period: the shortest RECOVER_BACKLOG.probe_interval_seconds, global or of any tenant (read at boot). */
export function probeIntervalSeconds(rules: AutohealRules): number {
  const tenants = Object.values(rules.tenant_overrides)
    .map((o) => o.strategy_limits?.RECOVER_BACKLOG?.probe_interval_seconds)
    .filter((s): s is number => s !== undefined);
  return Math.min(rules.strategy_limits.RECOVER_BACKLOG.probe_interval_seconds ?? 60, ...tenants);
}

/**
 * When the probe loop wakes up next, in ms from `nowMs`, or null for its regular tick: the earliest
 * next_probe_at that falls after the last tick started (one at or before it was that tick's to send; if
 * the tick skipped it, the regular tick tries again) and before the regular tick is due.
 */
export function probeWakeDelayMs(dueTimes: readonly number[], lastTickAtMs: number, nextTickAtMs: number, nowMs: number): number | null {
  const upcoming = dueTimes.filter((at) => at > lastTickAtMs);
  if (upcoming.length === 0) return null;
  const wakeAt = Math.min(...upcoming) + PROBE_WAKE_MARGIN_MS;
  if (wakeAt >= nextTickAtMs) return null;
  return Math.max(0, wakeAt - nowMs);
}

/** Refusals that mean "busy now", not "not allowed": a full cycle holds the lock, or every cycle slot is taken. */
const BUSY_CODES: ReadonlySet<string> = new Set(['cycle_in_progress', 'too_many_cycles']);

/**
 * A tenth of an interval, or null when the regular tick comes first: after a tick refused as busy (a cycle
 * mostly ends within that), and while an approval is pending (how soon an approved incident is seen).
 * Without it a probe due during a cycle, or approved just after a tick, waited a whole interval.
 */
export function soonDelayMs(intervalMs: number, nextTickAtMs: number, nowMs: number): number | null {
  const delay = Math.max(PROBE_WAKE_MARGIN_MS, intervalMs / 10);
  return nowMs + delay >= nextTickAtMs ? null : delay;
}

/**
 * Probes do not wait for the cycle: every probe interval a live run of the engine over the active
 * incidents only (no detection query), through the same safety checks. Each incident's own
 * next_probe_at decides whether it is due, and the loop also wakes up when the earliest one falls due
 * between two ticks: a failed probe's next is due one interval after the probe came back, which is
 * just after a fixed tick, so ticks alone would probe every second interval. A tick refused because a
 * cycle holds the lock is retried soon, and while an approval is pending the schedule is read again soon (soonDelayMs).
 * Off with scheduled healing (AUTOHEAL_INTERVAL_SECONDS=0).
 */
@Injectable()
export class ProbeLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProbeLoop.name);
  private inFlight: Promise<void> | null = null;
  private intervalMs: number | null = null;
  private nextTickAt = 0;
  private wake: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly engine: AutohealEngine,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly rules: RulesSource,
    private readonly incidents: IncidentStore,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.autoheal.intervalSeconds === 0) return;
    const seconds = probeIntervalSeconds(this.rules.current());
    const intervalMs = seconds * 1000;
    this.intervalMs = intervalMs;
    this.nextTickAt = this.clock.now().getTime() + intervalMs;
    this.registry.addInterval(
      PROBE_JOB,
      setInterval(() => {
        this.nextTickAt = this.clock.now().getTime() + intervalMs;
        void this.tick();
      }, intervalMs),
    );
    this.logger.log(`Probing incidents every ${seconds}s`);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.wake) clearTimeout(this.wake);
    this.wake = null;
  }

  /** One probe tick, unless the previous one is still running. Never throws. */
  tick(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const startedAt = this.clock.now();
    let busy = false;
    this.inFlight = this.engine
      .runCycle(startedAt, false, 'probe')
      .then(
        (result) => {
          const { actions_taken: taken, actions_skipped: skipped } = result;
          if (taken.length > 0) this.logger.log(`Probe tick: ${taken.length} actions, ${skipped.length} skipped`);
        },
        (error: unknown) => {
          // Refused: busy (a cycle holding the lock) is retried soon; the kill switch waits for the next tick.
          busy = error instanceof DomainError && BUSY_CODES.has(error.code);
          if (error instanceof DomainError) this.logger.debug(`Probe tick not run: ${error.message}`);
          else this.logger.error(`Probe tick failed: ${error instanceof Error ? error.stack : error}`);
        },
      )
      .then(() => this.scheduleWake(startedAt.getTime(), busy))
      .finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /**
   * After a tick: wake up for the earliest probe due before the next regular tick; after a busy refusal, tick again
   * soon. While an approval is pending, only look again soon (one read): approving sets the incident's next_probe_at to
   * the decision, after this tick, so the look that sees it wakes the loop for it.
   */
  private async scheduleWake(tickAtMs: number, busy: boolean): Promise<void> {
    if (this.intervalMs === null || this.stopped) return;
    const soon = () => soonDelayMs(this.intervalMs!, this.nextTickAt, this.clock.now().getTime());
    if (busy) return this.after(soon(), () => void this.tick());
    let active: IncidentRecord[];
    try {
      active = await this.incidents.active({ states: ['probing', 'awaiting_approval'] });
    } catch (error) {
      this.logger.debug(`Probe wake-up not planned: ${error instanceof Error ? error.message : error}`);
      return;
    }
    const dueTimes = active.flatMap((r) => (r.state === 'probing' && r.next_probe_at ? [r.next_probe_at.getTime()] : []));
    const due = probeWakeDelayMs(dueTimes, tickAtMs, this.nextTickAt, this.clock.now().getTime());
    if (due !== null) return this.after(due, () => void this.tick());
    if (active.some((r) => r.state === 'awaiting_approval')) this.after(soon(), () => void this.scheduleWake(tickAtMs, false));
  }

  /** One pending wake-up at a time: a later plan replaces it. */
  private after(delay: number | null, then: () => void): void {
    if (delay === null || this.stopped) return;
    if (this.wake) clearTimeout(this.wake);
    this.wake = setTimeout(() => {
      this.wake = null;
      then();
    }, delay);
    this.wake.unref();
  }
}
