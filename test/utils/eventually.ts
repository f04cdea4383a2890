import { setTimeout as sleep } from 'node:timers/promises';

/** Retries `check` until it stops throwing, or rethrows its last error after the deadline. */
export async function eventually(check: () => unknown, deadlineMs = 20_000, pollMs = 100): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await sleep(pollMs);
    }
  }
}
