const DELAY_SECONDS = /^\d+(\.\d+)?$/;

/**
 * A Retry-After header in milliseconds from `now`: delay-seconds (fractions accepted, so compressed
 * tests can use them) or an HTTP date. Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | undefined | null, now: Date): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (DELAY_SECONDS.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date starts with the day's name; Date.parse would read "-3" as a year.
  if (!/^[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
