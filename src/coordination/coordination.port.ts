export type CoordinationMode = 'redis' | 'memory';

/** Every key is relative (adapters add the `autoheal:` namespace); durations are milliseconds. */
export abstract class Coordination {
  abstract readonly mode: CoordinationMode;

  /** SET NX PX. */
  abstract setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  abstract set(key: string, value: string, ttlMs: number): Promise<void>;
  abstract get(key: string): Promise<string | null>;
  /** Null when the key does not exist. */
  abstract ttlMs(key: string): Promise<number | null>;
  abstract delete(key: string): Promise<boolean>;

  /** The expiry is set when the counter is created. */
  abstract increment(key: string, ttlMs: number, by?: number): Promise<number>;
  abstract count(key: string): Promise<number>;

  /** Null when someone else holds it. */
  abstract acquireLock(key: string, ttlMs: number): Promise<string | null>;
  /** Only if `token` still owns it. */
  abstract renewLock(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Only if `token` still owns it. */
  abstract releaseLock(key: string, token: string): Promise<boolean>;

  /** One of `limit` slots; each holder expires on its own after `ttlMs`, so a crashed holder frees its slot. */
  abstract acquireSlot(key: string, limit: number, ttlMs: number): Promise<string | null>;
  /** False when it expired or was released. */
  abstract renewSlot(key: string, token: string, ttlMs: number): Promise<boolean>;
  abstract releaseSlot(key: string, token: string): Promise<void>;

  /** Throws when the backend is unreachable. */
  abstract ping(): Promise<void>;
}
