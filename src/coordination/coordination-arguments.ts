/** Shared by both adapters, so what works on memory does not fail on Redis (no zero, negative or fractional PX). */
export function checkTtlMs(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
  return Math.ceil(ttlMs);
}

export function checkIncrement(by: number): number {
  if (!Number.isSafeInteger(by)) throw new RangeError(`by must be an integer, got ${by}`);
  return by;
}

export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  return limit;
}
