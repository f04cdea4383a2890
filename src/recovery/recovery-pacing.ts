import type { AutohealRules } from '../rules/rules.types';

/** How fast an operator recovery sends: RECOVER_BACKLOG's drain limits, so it paces like an incident drain. */
export interface RecoveryPacing {
  ratePerSecond: number;
  concurrency: number;
  maxConsecutiveFailures: number;
  maxDeliveries: number;
}

export const RECOVERY_PACING_DEFAULTS: RecoveryPacing = {
  ratePerSecond: 20,
  concurrency: 4,
  maxConsecutiveFailures: 5,
  maxDeliveries: 100_000,
};

/** Read loosely: the RECOVER_BACKLOG limits are optional in the rules (the defaults apply without them). */
export function recoveryPacing(rules: AutohealRules): RecoveryPacing {
  const limits = (rules.strategy_limits as Record<string, Record<string, unknown> | undefined>).RECOVER_BACKLOG ?? {};
  const read = (key: string, fallback: number) => {
    const value = limits[key];
    return typeof value === 'number' && value > 0 ? value : fallback;
  };
  return {
    ratePerSecond: read('drain_rate_per_second', RECOVERY_PACING_DEFAULTS.ratePerSecond),
    concurrency: read('drain_concurrency', RECOVERY_PACING_DEFAULTS.concurrency),
    maxConsecutiveFailures: read('drain_max_consecutive_failures', RECOVERY_PACING_DEFAULTS.maxConsecutiveFailures),
    maxDeliveries: read('max_backlog_deliveries', RECOVERY_PACING_DEFAULTS.maxDeliveries),
  };
}

/** A throttled tenant's sends (RATE_LIMIT_SOURCE): the rate times its factor; concurrency stays. */
export function throttledPacing(pacing: RecoveryPacing, factor: number): RecoveryPacing {
  return factor >= 1 ? pacing : { ...pacing, ratePerSecond: pacing.ratePerSecond * factor };
}

/** Seconds to send `total` at the pacing's top rate: the best case, as a plan promises nothing better. */
export function estimatedSeconds(total: number, pacing: RecoveryPacing): number {
  return Math.ceil((total / pacing.ratePerSecond) * 10) / 10;
}

/** About a quarter of a second of sends per batch: progress is written after each, and a cancel is seen before each send. */
export function batchSizeFor(pacing: RecoveryPacing): number {
  return Math.min(500, Math.max(pacing.concurrency, Math.ceil(pacing.ratePerSecond / 4)));
}
