import { randomUUID } from 'node:crypto';
import { Coordination } from '../../src/coordination/coordination.port';

export interface CoordinationUnderTest {
  coordination: Coordination;
  /** Resolves once the adapter's clock has moved on by `ms`: a manual clock advanced, or Redis's own clock observed. */
  elapse(ms: number): Promise<void>;
  dispose(): Promise<void>;
}

/** Short TTLs, then time well past them: this checks expiry happens, not how fast. */
const SHORT_TTL_MS = 80;
const PAST_SHORT_TTL_MS = 250;
const LONG_TTL_MS = 60_000;

/** The behaviour every Coordination adapter must share; run once per adapter. */
export function describeCoordinationContract(name: string, factory: () => Promise<CoordinationUnderTest>): void {
  describe(`Coordination contract: ${name}`, () => {
    let subject: CoordinationUnderTest;
    let c: Coordination;
    const key = (what: string) => `contract:${randomUUID()}:${what}`;

    beforeAll(async () => {
      subject = await factory();
      c = subject.coordination;
    });
    afterAll(() => subject?.dispose());

    it('answers ping', async () => {
      await expect(c.ping()).resolves.toBeUndefined();
    });

    describe('keys', () => {
      it('setIfAbsent sets once and keeps the first value', async () => {
        const k = key('cooldown');
        expect(await c.setIfAbsent(k, 'first', LONG_TTL_MS)).toBe(true);
        expect(await c.setIfAbsent(k, 'second', LONG_TTL_MS)).toBe(false);
        expect(await c.get(k)).toBe('first');
      });

      it('set overwrites', async () => {
        const k = key('value');
        await c.set(k, 'a', LONG_TTL_MS);
        await c.set(k, 'b', LONG_TTL_MS);
        expect(await c.get(k)).toBe('b');
      });

      it('reports the remaining TTL, and null for a missing key', async () => {
        const k = key('ttl');
        expect(await c.ttlMs(k)).toBeNull();
        await c.set(k, 'v', LONG_TTL_MS);
        const ttl = await c.ttlMs(k);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(LONG_TTL_MS);
      });

      it('forgets a key after its TTL, and setIfAbsent succeeds again', async () => {
        const k = key('short');
        expect(await c.setIfAbsent(k, 'v', SHORT_TTL_MS)).toBe(true);
        await subject.elapse(PAST_SHORT_TTL_MS);
        expect(await c.get(k)).toBeNull();
        expect(await c.ttlMs(k)).toBeNull();
        expect(await c.setIfAbsent(k, 'again', LONG_TTL_MS)).toBe(true);
      });

      it('delete says whether something was deleted', async () => {
        const k = key('gone');
        await c.set(k, 'v', LONG_TTL_MS);
        expect(await c.delete(k)).toBe(true);
        expect(await c.get(k)).toBeNull();
        expect(await c.delete(k)).toBe(false);
      });

      it('rejects a TTL Redis would refuse', async () => {
        await expect(c.set(key('bad'), 'v', 0)).rejects.toThrow(RangeError);
        await expect(c.setIfAbsent(key('bad'), 'v', -5)).rejects.toThrow(RangeError);
        await expect(c.increment(key('bad'), Number.NaN)).rejects.toThrow(RangeError);
      });
    });

    describe('counters', () => {
      it('counts from zero and adds `by`', async () => {
        const k = key('heals');
        expect(await c.count(k)).toBe(0);
        expect(await c.increment(k, LONG_TTL_MS)).toBe(1);
        expect(await c.increment(k, LONG_TTL_MS, 4)).toBe(5);
        expect(await c.count(k)).toBe(5);
      });

      it('sets the expiry when the counter is created and never extends it', async () => {
        const k = key('hourly');
        await c.increment(k, SHORT_TTL_MS);
        await c.increment(k, LONG_TTL_MS);
        expect(await c.ttlMs(k)).toBeLessThanOrEqual(SHORT_TTL_MS);
        await subject.elapse(PAST_SHORT_TTL_MS);
        expect(await c.count(k)).toBe(0);
        expect(await c.increment(k, LONG_TTL_MS)).toBe(1);
        expect(await c.ttlMs(k)).toBeGreaterThan(SHORT_TTL_MS);
      });

      it('refuses a fractional increment', async () => {
        await expect(c.increment(key('frac'), LONG_TTL_MS, 1.5)).rejects.toThrow(RangeError);
      });
    });

    describe('locks', () => {
      it('lets only one holder in', async () => {
        const k = key('cycle-lock');
        const token = await c.acquireLock(k, LONG_TTL_MS);
        expect(token).toEqual(expect.any(String));
        expect(await c.acquireLock(k, LONG_TTL_MS)).toBeNull();
      });

      it('ignores release and renew with a wrong token, and keeps the lock', async () => {
        const k = key('cycle-lock');
        const token = (await c.acquireLock(k, SHORT_TTL_MS * 10))!;
        expect(await c.releaseLock(k, 'not-the-owner')).toBe(false);
        expect(await c.renewLock(k, 'not-the-owner', LONG_TTL_MS)).toBe(false);
        expect(await c.get(k)).toBe(token);
        expect(await c.ttlMs(k)).toBeLessThanOrEqual(SHORT_TTL_MS * 10);
        expect(await c.acquireLock(k, LONG_TTL_MS)).toBeNull();
      });

      it('renews with the right token', async () => {
        const k = key('cycle-lock');
        const token = (await c.acquireLock(k, SHORT_TTL_MS))!;
        expect(await c.renewLock(k, token, LONG_TTL_MS)).toBe(true);
        await subject.elapse(PAST_SHORT_TTL_MS);
        expect(await c.acquireLock(k, LONG_TTL_MS)).toBeNull();
        expect(await c.releaseLock(k, token)).toBe(true);
      });

      it('frees the lock on release with the right token', async () => {
        const k = key('cycle-lock');
        const token = (await c.acquireLock(k, LONG_TTL_MS))!;
        expect(await c.releaseLock(k, token)).toBe(true);
        expect(await c.releaseLock(k, token)).toBe(false);
        const next = await c.acquireLock(k, LONG_TTL_MS);
        expect(next).toEqual(expect.any(String));
        expect(next).not.toBe(token);
      });

      it('expires, after which the old token neither renews nor releases the new holder', async () => {
        const k = key('cycle-lock');
        const stale = (await c.acquireLock(k, SHORT_TTL_MS))!;
        await subject.elapse(PAST_SHORT_TTL_MS);
        const fresh = await c.acquireLock(k, LONG_TTL_MS);
        expect(fresh).toEqual(expect.any(String));
        expect(await c.renewLock(k, stale, LONG_TTL_MS)).toBe(false);
        expect(await c.releaseLock(k, stale)).toBe(false);
        expect(await c.get(k)).toBe(fresh);
      });

      it('gives exactly one of 20 concurrent contenders the lock', async () => {
        const k = key('cycle-lock');
        const tokens = await Promise.all(Array.from({ length: 20 }, () => c.acquireLock(k, LONG_TTL_MS)));
        const winners = tokens.filter((token) => token !== null);
        expect(winners).toHaveLength(1);
        expect(await c.get(k)).toBe(winners[0]);
      });
    });

    describe('slots', () => {
      it('hands out at most `limit` slots, each with its own token', async () => {
        const k = key('inflight');
        const first = await c.acquireSlot(k, 2, LONG_TTL_MS);
        const second = await c.acquireSlot(k, 2, LONG_TTL_MS);
        expect(first).toEqual(expect.any(String));
        expect(second).toEqual(expect.any(String));
        expect(second).not.toBe(first);
        expect(await c.acquireSlot(k, 2, LONG_TTL_MS)).toBeNull();
      });

      it('frees one slot on release, and only that one', async () => {
        const k = key('inflight');
        const first = (await c.acquireSlot(k, 2, LONG_TTL_MS))!;
        await c.acquireSlot(k, 2, LONG_TTL_MS);
        await c.releaseSlot(k, first);
        await c.releaseSlot(k, 'unknown-token');
        expect(await c.acquireSlot(k, 2, LONG_TTL_MS)).toEqual(expect.any(String));
        expect(await c.acquireSlot(k, 2, LONG_TTL_MS)).toBeNull();
      });

      it('frees the slot of a holder that expired without releasing', async () => {
        const k = key('inflight');
        await c.acquireSlot(k, 2, LONG_TTL_MS);
        await c.acquireSlot(k, 2, SHORT_TTL_MS);
        expect(await c.acquireSlot(k, 2, LONG_TTL_MS)).toBeNull();
        await subject.elapse(PAST_SHORT_TTL_MS);
        expect(await c.acquireSlot(k, 2, LONG_TTL_MS)).toEqual(expect.any(String));
        expect(await c.acquireSlot(k, 2, LONG_TTL_MS)).toBeNull();
      });

      it('renews one holder only: the renewed slot outlives its first lease, the other expires', async () => {
        const k = key('inflight');
        const renewed = (await c.acquireSlot(k, 2, SHORT_TTL_MS))!;
        await c.acquireSlot(k, 2, SHORT_TTL_MS);
        expect(await c.renewSlot(k, renewed, LONG_TTL_MS)).toBe(true);
        await subject.elapse(PAST_SHORT_TTL_MS);
        expect(await c.acquireSlot(k, 2, LONG_TTL_MS)).toEqual(expect.any(String));
        expect(await c.acquireSlot(k, 2, LONG_TTL_MS)).toBeNull();
        await c.releaseSlot(k, renewed);
        expect(await c.acquireSlot(k, 2, LONG_TTL_MS)).toEqual(expect.any(String));
      });

      it('does not renew a slot that expired, was released, or was never handed out', async () => {
        const k = key('inflight');
        const expired = (await c.acquireSlot(k, 3, SHORT_TTL_MS))!;
        const released = (await c.acquireSlot(k, 3, LONG_TTL_MS))!;
        await c.releaseSlot(k, released);
        await subject.elapse(PAST_SHORT_TTL_MS);
        expect(await c.renewSlot(k, expired, LONG_TTL_MS)).toBe(false);
        expect(await c.renewSlot(k, released, LONG_TTL_MS)).toBe(false);
        expect(await c.renewSlot(k, 'unknown-token', LONG_TTL_MS)).toBe(false);
        await expect(c.renewSlot(k, 'unknown-token', 0)).rejects.toThrow(RangeError);
        const held = await Promise.all([1, 2, 3].map(() => c.acquireSlot(k, 3, LONG_TTL_MS)));
        expect(held.every((token) => token !== null)).toBe(true);
      });

      it('gives exactly 5 of 20 concurrent contenders a slot when the limit is 5', async () => {
        const k = key('inflight');
        const tokens = await Promise.all(Array.from({ length: 20 }, () => c.acquireSlot(k, 5, LONG_TTL_MS)));
        const granted = tokens.filter((token) => token !== null);
        expect(granted).toHaveLength(5);
        expect(new Set(granted).size).toBe(5);
      });

      it('keeps separate semaphores apart', async () => {
        const a = key('inflight-a');
        const b = key('inflight-b');
        await c.acquireSlot(a, 1, LONG_TTL_MS);
        expect(await c.acquireSlot(a, 1, LONG_TTL_MS)).toBeNull();
        expect(await c.acquireSlot(b, 1, LONG_TTL_MS)).toEqual(expect.any(String));
      });
    });
  });
}
