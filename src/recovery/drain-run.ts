import type { DrainCounts, PacedDrainOptions } from './paced-drain';
import { batchSizeFor, RecoveryPacing } from './recovery-pacing';

/** Counts over more than one PacedDrain run: an incident drain's passes, a resumed recovery's earlier run. */
export const addCounts = (a: DrainCounts, b: DrainCounts): DrainCounts => ({
  sent: a.sent + b.sent,
  delivered: a.delivered + b.delivered,
  failed: a.failed + b.failed,
  skipped: a.skipped + b.skipped,
});

/** What stops a drain and what each batch records: each runner's own. */
export type DrainHooks = Required<Pick<PacedDrainOptions, 'shouldContinue' | 'onBatch'>>;

/** PacedDrain's options at a drain runner's pacing, the same for incident drains and operator recoveries. */
export function drainOptions(pacing: RecoveryPacing, hooks: DrainHooks): PacedDrainOptions {
  return {
    concurrency: pacing.concurrency,
    ratePerSecond: pacing.ratePerSecond,
    // A throttled rate can fall below PacedDrain's usual floor of 1/s, which must not exceed the rate.
    minRatePerSecond: Math.min(1, pacing.ratePerSecond),
    maxConsecutiveFailures: pacing.maxConsecutiveFailures,
    batchSize: batchSizeFor(pacing),
    ...hooks,
  };
}
