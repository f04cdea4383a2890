export type CoordinationMode = 'redis' | 'memory';

/**
 * Short-lived shared state with expiry: cooldowns, hourly counters, the cycle lock, the
 * in-flight cycle semaphore. Redis backs it in a cluster; memory backs it on a single instance.
 * Abstract class = DI token: `overrideProvider(Coordination)` swaps it in tests.
 *
 * Every key is relative: adapters add the `autoheal:` namespace. Durations are milliseconds.
 */
export abstract class Coordination {
  abstract readonly mode: CoordinationMode;

  /** SET NX PX: true when the key was absent and is now set. */
  abstract setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** SET PX: overwrite. */
  abstract set(key: string, value: string, ttlMs: number): Promise<void>;
  abstract get(key: string): Promise<string | null>;
  /** Remaining time to live, or null when the key does not exist. */
  abstract ttlMs(key: string): Promise<number | null>;
  /** True when something was deleted. */
  abstract delete(key: string): Promise<boolean>;

  /** Adds `by` (default 1) and returns the new value; the expiry is set when the counter is created. */
  abstract increment(key: string, ttlMs: number, by?: number): Promise<number>;
  /** Current counter value (0 when absent). */
  abstract count(key: string): Promise<number>;

  /** An exclusive lock: returns the owner token, or null when someone else holds it. */
  abstract acquireLock(key: string, ttlMs: number): Promise<string | null>;
  /** Extends the lock only if `token` still owns it. */
  abstract renewLock(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Releases the lock only if `token` still owns it. */
  abstract releaseLock(key: string, token: string): Promise<boolean>;

  /**
   * A counting semaphore: takes one of `limit` slots for at most `ttlMs` (so a crashed holder
   * frees its slot on expiry). Each holder expires on its own. Returns the slot token, or null
   * when all slots are taken.
   */
  abstract acquireSlot(key: string, limit: number, ttlMs: number): Promise<string | null>;
  /** Extends one holder's slot to `ttlMs` from now; false when it expired or was released. */
  abstract renewSlot(key: string, token: string, ttlMs: number): Promise<boolean>;
  abstract releaseSlot(key: string, token: string): Promise<void>;

  /** Throws when the backend is unreachable. */
  abstract ping(): Promise<void>;
}
