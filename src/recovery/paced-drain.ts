import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { BacklogSource, DrainItem, DrainSender, DrainSendResult } from './drain-ports';
import { Sleeper } from './sleeper.port';

export interface PacedDrainOptions {
  /** Sends in flight at once, never more. */
  concurrency?: number;
  /** Starting and highest send rate. */
  ratePerSecond?: number;
  /** The rate never slows below this, however many 429/5xx/timeouts come back. */
  minRatePerSecond?: number;
  /** Additive recovery of the rate after each delivered send. */
  rateIncreasePerSuccess?: number;
  /** This many failed sends in a row end the drain as `back_to_probing`. */
  maxConsecutiveFailures?: number;
  /** Items asked of the BacklogSource at a time. */
  batchSize?: number;
  /** A Retry-After longer than this ends the drain as `back_to_probing` instead of holding a worker. */
  maxPauseMs?: number;
  /** The kill switch and cancellation: asked before every batch and every send. */
  shouldContinue?: () => boolean | Promise<boolean>;
  /** Progress after every batch, for audit and metrics. */
  onBatch?: (progress: DrainProgress) => void | Promise<void>;
}

export interface DrainCounts {
  /** Went out to the receiver: delivered + failed. */
  sent: number;
  delivered: number;
  failed: number;
  /** Claim refused, never sent. */
  skipped: number;
}

export interface DrainProgress {
  batch: number;
  counts: DrainCounts;
  totals: DrainCounts;
  ratePerSecond: number;
}

export type DrainState = 'drained' | 'back_to_probing' | 'stopped';

export interface DrainResult extends DrainCounts {
  state: DrainState;
  lastRetryAfterMs?: number;
}

export const PACED_DRAIN_DEFAULTS = {
  concurrency: 4,
  ratePerSecond: 20,
  minRatePerSecond: 1,
  rateIncreasePerSuccess: 1,
  maxConsecutiveFailures: 5,
  batchSize: 50,
  maxPauseMs: 60_000,
} as const;

type Settings = typeof PACED_DRAIN_DEFAULTS;

function settingsOf(options: PacedDrainOptions): Settings {
  const settings = { ...PACED_DRAIN_DEFAULTS };
  for (const key of Object.keys(PACED_DRAIN_DEFAULTS) as (keyof Settings)[]) {
    const value = options[key];
    if (value === undefined) continue;
    const integer = key === 'concurrency' || key === 'maxConsecutiveFailures' || key === 'batchSize';
    const valid =
      Number.isFinite(value) && (integer ? Number.isInteger(value) && value >= 1 : key === 'maxPauseMs' ? value >= 0 : value > 0);
    if (!valid) throw new RangeError(`PacedDrain option ${key} must be ${integer ? 'an integer ≥ 1' : 'a positive number'}, got ${value}`);
    (settings as Record<keyof Settings, number>)[key] = value;
  }
  if (settings.minRatePerSecond > settings.ratePerSecond) {
    throw new RangeError(
      `PacedDrain option minRatePerSecond (${settings.minRatePerSecond}) exceeds ratePerSecond (${settings.ratePerSecond})`,
    );
  }
  return settings;
}

const zeroCounts = (): DrainCounts => ({ sent: 0, delivered: 0, failed: 0, skipped: 0 });

const isSlowDownSignal = (result: DrainSendResult) =>
  result.timedOut === true || result.httpStatus === 429 || (result.httpStatus !== undefined && result.httpStatus >= 500);

/**
 * The bucket holds what this long of the rate allows (and at least one send): a timer cannot wake a
 * drain more precisely than a few milliseconds (tens on a loaded host), so at a high rate a bucket of
 * one send would pace by the timer's lateness instead of the rate. At the usual rates (below 20/s) it
 * is one send.
 */
export const PACER_BURST_MS = 50;

/**
 * A token bucket starting with one token and holding at most max(1, rate × PACER_BURST_MS): sends start
 * evenly spaced at the current rate, never more than the rate allows over any window plus that
 * allowance, so an endpoint that just came back sees a steady trickle rather than `concurrency` at once.
 */
class Pacer {
  private tokens = 1;
  private refilledAt: number;

  constructor(
    private rate: number,
    now: number,
  ) {
    this.refilledAt = now;
  }

  get ratePerSecond(): number {
    return this.rate;
  }

  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.rate) * 1000;
  }

  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }

  setRate(rate: number, now: number): void {
    this.refill(now);
    this.rate = rate;
  }

  private refill(now: number): void {
    const capacity = Math.max(1, (this.rate * PACER_BURST_MS) / 1000);
    this.tokens = Math.min(capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
  }
}

/** The mutable state of one drain; PacedDrain itself is stateless and shared. */
class DrainRun<T extends DrainItem> {
  readonly totals = zeroCounts();
  private readonly handled = new Set<string>();
  private readonly pacer: Pacer;
  private pauseUntil = 0;
  private consecutiveFailures = 0;
  private started = 0;
  private lastSlowDownAt = 0;
  private lastRetryAfterMs?: number;
  private end?: DrainState;

  constructor(
    private readonly settings: Settings,
    private readonly options: PacedDrainOptions,
    private readonly clock: Clock,
    private readonly sleeper: Sleeper,
    private readonly logger: Logger,
  ) {
    this.pacer = new Pacer(settings.ratePerSecond, clock.now().getTime());
  }

  async execute(source: BacklogSource<T>, sender: DrainSender<T>): Promise<DrainResult> {
    for (let batch = 1; !this.end; batch++) {
      if (!(await this.shouldContinue())) break;
      const fresh = (await source.next(this.settings.batchSize)).filter((item) => !this.handled.has(item.id));
      if (fresh.length === 0) {
        this.end = 'drained';
        break;
      }
      const counts = await this.sendBatch(fresh, sender);
      for (const key of Object.keys(counts) as (keyof DrainCounts)[]) this.totals[key] += counts[key];
      await this.options.onBatch?.({ batch, counts, totals: { ...this.totals }, ratePerSecond: this.pacer.ratePerSecond });
    }
    return {
      state: this.end ?? 'stopped',
      ...this.totals,
      ...(this.lastRetryAfterMs !== undefined && { lastRetryAfterMs: this.lastRetryAfterMs }),
    };
  }

  private async shouldContinue(): Promise<boolean> {
    if (this.end) return false;
    if (this.options.shouldContinue && !(await this.options.shouldContinue())) this.end = 'stopped';
    return !this.end;
  }

  private async sendBatch(items: T[], sender: DrainSender<T>): Promise<DrainCounts> {
    const counts = zeroCounts();
    const inFlight = new Set<Promise<void>>();
    for (const item of items) {
      while (inFlight.size >= this.settings.concurrency) await Promise.race(inFlight);
      if (!(await this.waitForTurn()) || !(await this.shouldContinue())) break;
      this.handled.add(item.id);
      this.pacer.take(this.now());
      const sequence = ++this.started;
      const sending: Promise<void> = this.sendOne(sender, item)
        .then((result) => this.settle(result, sequence, counts))
        .finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    }
    await Promise.all(inFlight);
    await sender.flush();
    return counts;
  }

  /** Waits out any Retry-After pause and the pacer; false when the drain ended meanwhile. */
  private async waitForTurn(): Promise<boolean> {
    for (;;) {
      if (this.end) return false;
      const now = this.now();
      const waitMs = Math.max(this.pauseUntil - now, this.pacer.waitMs(now));
      if (waitMs <= 0) return true;
      // Whole milliseconds: a Date-based clock cannot move by less, and a sub-millisecond wait would spin.
      await this.sleeper.sleep(Math.ceil(waitMs));
    }
  }

  private async sendOne(sender: DrainSender<T>, item: T): Promise<DrainSendResult> {
    try {
      return await sender.send(item);
    } catch (error) {
      this.logger.warn(`send of ${item.id} threw, counted as failed: ${(error as Error).message}`);
      return { outcome: 'failed' };
    }
  }

  private settle(result: DrainSendResult, sequence: number, counts: DrainCounts): void {
    const now = this.now();
    if (result.outcome === 'skipped') {
      counts.skipped++;
    } else if (result.outcome === 'delivered') {
      counts.sent++;
      counts.delivered++;
      this.consecutiveFailures = 0;
      this.pacer.setRate(Math.min(this.settings.ratePerSecond, this.pacer.ratePerSecond + this.settings.rateIncreasePerSuccess), now);
    } else {
      counts.sent++;
      counts.failed++;
      if (++this.consecutiveFailures >= this.settings.maxConsecutiveFailures) this.end ??= 'back_to_probing';
    }
    // Halve once per window of sends: the sends already in flight when the rate dropped saw the old
    // rate, so their 503s are not news (the rule TCP congestion control follows).
    if (isSlowDownSignal(result) && sequence > this.lastSlowDownAt) {
      this.pacer.setRate(Math.max(this.settings.minRatePerSecond, this.pacer.ratePerSecond / 2), now);
      this.lastSlowDownAt = this.started;
    }
    if (result.retryAfterMs !== undefined && result.retryAfterMs > 0) {
      this.lastRetryAfterMs = result.retryAfterMs;
      if (result.retryAfterMs > this.settings.maxPauseMs) this.end ??= 'back_to_probing';
      else this.pauseUntil = Math.max(this.pauseUntil, now + result.retryAfterMs);
    }
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

/**
 * Sends a backlog to an endpoint that just recovered: oldest first, at most `concurrency` in flight,
 * paced by a rate that halves on 429/5xx/timeouts and grows back on deliveries, pausing for
 * Retry-After, and handing back to probing when the endpoint fails again.
 */
@Injectable()
export class PacedDrain {
  private readonly logger = new Logger(PacedDrain.name);

  constructor(
    private readonly clock: Clock,
    private readonly sleeper: Sleeper,
  ) {}

  async run<T extends DrainItem>(source: BacklogSource<T>, sender: DrainSender<T>, options: PacedDrainOptions = {}): Promise<DrainResult> {
    return new DrainRun<T>(settingsOf(options), options, this.clock, this.sleeper, this.logger).execute(source, sender);
  }
}
