import { MemoryCoordination } from './memory-coordination.adapter';

describe('MemoryCoordination', () => {
  let now: number;
  let coordination: MemoryCoordination;

  beforeEach(() => {
    now = 1_000_000;
    coordination = new MemoryCoordination(() => now);
  });

  it('expires keys on its own clock', async () => {
    await coordination.set('k', 'v', 1_000);
    now += 999;
    expect(await coordination.get('k')).toBe('v');
    expect(await coordination.ttlMs('k')).toBe(1);
    now += 1;
    expect(await coordination.get('k')).toBeNull();
  });

  it('drops expired keys and slots nobody reads again, so old hourly counters do not pile up', async () => {
    await coordination.increment('heals:hour-1', 1_000);
    await coordination.acquireSlot('inflight', 2, 1_000);
    now += 61_000;
    await coordination.set('other', 'v', 120_000);
    expect(coordination.heldKeys()).toEqual({ entries: ['other'], slots: [] });
  });

  it('frees the slot map once its last holder releases', async () => {
    const token = await coordination.acquireSlot('inflight', 1, 1_000);
    await coordination.releaseSlot('inflight', token!);
    expect(coordination.heldKeys().slots).toEqual([]);
  });

  it('rejects a counter increment on a value that is not an integer, as Redis does', async () => {
    await coordination.set('k', 'text', 1_000);
    await expect(coordination.increment('k', 1_000)).rejects.toThrow(/not an integer/);
  });
});
