import { randomUUID } from 'node:crypto';
import { Coordination, CoordinationMode } from './coordination.port';

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * Coordination for a single instance: the same semantics as Redis, held in this process.
 * Expiry is checked lazily on read, like Redis does for a key nobody touches.
 */
export class MemoryCoordination extends Coordination {
  readonly mode: CoordinationMode = 'memory';
  private readonly entries = new Map<string, Entry>();
  private readonly slots = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    return true;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async ttlMs(key: string): Promise<number | null> {
    const entry = this.live(key);
    return entry ? entry.expiresAt - this.now() : null;
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.live(key) !== undefined;
    this.entries.delete(key);
    return existed;
  }

  async increment(key: string, ttlMs: number, by = 1): Promise<number> {
    const entry = this.live(key);
    const value = Number(entry?.value ?? 0) + by;
    this.entries.set(key, { value: String(value), expiresAt: entry?.expiresAt ?? this.now() + ttlMs });
    return value;
  }

  async count(key: string): Promise<number> {
    return Number(this.live(key)?.value ?? 0);
  }

  async acquireLock(key: string, ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    return (await this.setIfAbsent(key, token, ttlMs)) ? token : null;
  }

  async renewLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)?.value !== token) return false;
    this.entries.set(key, { value: token, expiresAt: this.now() + ttlMs });
    return true;
  }

  async releaseLock(key: string, token: string): Promise<boolean> {
    if (this.live(key)?.value !== token) return false;
    this.entries.delete(key);
    return true;
  }

  async acquireSlot(key: string, limit: number, ttlMs: number): Promise<string | null> {
    const holders = this.slots.get(key) ?? new Map<string, number>();
    const now = this.now();
    for (const [token, expiresAt] of holders) if (expiresAt <= now) holders.delete(token);
    if (holders.size >= limit) return null;
    const token = randomUUID();
    holders.set(token, now + ttlMs);
    this.slots.set(key, holders);
    return token;
  }

  async releaseSlot(key: string, token: string): Promise<void> {
    this.slots.get(key)?.delete(token);
  }

  async ping(): Promise<void> {}

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
