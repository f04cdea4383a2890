import { setTimeout as pause } from 'node:timers/promises';

/**
 * Retries `check` until it stops throwing, or rethrows its last error after `deadlineMs`: tests wait
 * for a condition, never for a fixed time.
 */
export async function eventually<T>(check: () => T | Promise<T>, deadlineMs = 20_000, pollMs = 20): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await pause(pollMs);
    }
  }
}
