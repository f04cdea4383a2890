import { randomUUID } from 'node:crypto';
import { checkIncrement, checkLimit, checkTtlMs } from './coordination-arguments';
import { Coordination, CoordinationMode } from './coordination.port';

interface Entry {
  value: string;
  expiresAt: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Expiry is checked on read; a sweep at most once a minute, piggybacked on writes, drops keys nobody reads.
 * Wall-clock time, not the injectable `Clock`: Redis TTLs run on the server's clock, and both adapters must agree.
 */
export class MemoryCoordination extends Coordination {
  readonly mode: CoordinationMode = 'memory';
  private readonly entries = new Map<string, Entry>();
  private readonly slots = new Map<string, Map<string, number>>();
  private nextSweepAt: number;

  constructor(private readonly now: () => number = Date.now) {
    super();
    this.nextSweepAt = now() + SWEEP_INTERVAL_MS;
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const ttl = checkTtlMs(ttlMs);
    if (this.live(key)) return false;
    this.write(key, value, ttl);
    return true;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.write(key, value, checkTtlMs(ttlMs));
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async ttlMs(key: string): Promise<number | null> {
    const entry = this.live(key);
    return entry ? entry.expiresAt - this.now() : null;
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.live(key) !== undefined || this.liveSlots(key) !== undefined;
    this.entries.delete(key);
    this.slots.delete(key);
    return existed;
  }

  async increment(key: string, ttlMs: number, by = 1): Promise<number> {
    const ttl = checkTtlMs(ttlMs);
    checkIncrement(by);
    const entry = this.live(key);
    const current = entry ? Number(entry.value) : 0;
    if (!Number.isSafeInteger(current)) throw new Error(`value at ${key} is not an integer`);
    const value = current + by;
    if (entry) entry.value = String(value);
    else this.write(key, String(value), ttl);
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
    const ttl = checkTtlMs(ttlMs);
    if (this.live(key)?.value !== token) return false;
    this.write(key, token, ttl);
    return true;
  }

  async releaseLock(key: string, token: string): Promise<boolean> {
    if (this.live(key)?.value !== token) return false;
    this.entries.delete(key);
    return true;
  }

  async acquireSlot(key: string, limit: number, ttlMs: number): Promise<string | null> {
    const ttl = checkTtlMs(ttlMs);
    checkLimit(limit);
    const holders = this.liveSlots(key) ?? new Map<string, number>();
    if (holders.size >= limit) return null;
    const token = randomUUID();
    holders.set(token, this.now() + ttl);
    this.slots.set(key, holders);
    this.maybeSweep();
    return token;
  }

  async renewSlot(key: string, token: string, ttlMs: number): Promise<boolean> {
    const ttl = checkTtlMs(ttlMs);
    const holders = this.liveSlots(key);
    if (!holders?.has(token)) return false;
    holders.set(token, this.now() + ttl);
    return true;
  }

  async releaseSlot(key: string, token: string): Promise<void> {
    const holders = this.slots.get(key);
    holders?.delete(token);
    if (holders?.size === 0) this.slots.delete(key);
  }

  async ping(): Promise<void> {}

  /** The keys still held in memory, expired or not: what the sweep has not dropped yet. */
  heldKeys(): { entries: string[]; slots: string[] } {
    return { entries: [...this.entries.keys()], slots: [...this.slots.keys()] };
  }

  private write(key: string, value: string, ttl: number): void {
    this.entries.set(key, { value, expiresAt: this.now() + ttl });
    this.maybeSweep();
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private liveSlots(key: string): Map<string, number> | undefined {
    const holders = this.slots.get(key);
    if (!holders) return undefined;
    const now = this.now();
    for (const [token, expiresAt] of holders) if (expiresAt <= now) holders.delete(token);
    if (holders.size > 0) return holders;
    this.slots.delete(key);
    return undefined;
  }

  private maybeSweep(): void {
    const now = this.now();
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + SWEEP_INTERVAL_MS;
    for (const key of this.entries.keys()) this.live(key);
    for (const key of this.slots.keys()) this.liveSlots(key);
  }
}
