import { setTimeout as sleep } from 'node:timers/promises';

/** Calls `check` until it returns something other than undefined, or throws `what` once `deadlineMs` passed. */
export async function pollUntil<T>(what: string, check: () => Promise<T | undefined> | T | undefined, deadlineMs = 30_000, everyMs = 50): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`Timed out after ${deadlineMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
