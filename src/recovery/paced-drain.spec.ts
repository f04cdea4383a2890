import { ManualClock } from '../clock/clock';
import { BacklogSource, DrainItem, DrainSender, DrainSendResult } from './drain-ports';
import { DrainProgress, PACER_BURST_MS, PacedDrain, PacedDrainOptions } from './paced-drain';
import { ManualClockSleeper, Sleeper } from './sleeper.port';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Item extends DrainItem {
  n: number;
}

const items = (count: number): Item[] => Array.from({ length: count }, (_, n) => ({ id: `d-${n}`, n }));

/** Hands out what was not sent yet, oldest first, like a query that excludes claimed deliveries. */
class ListSource extends BacklogSource<Item> {
  readonly claimed = new Set<string>();
  constructor(
    private readonly backlog: Item[],
    private readonly excludeClaimed = true,
  ) {
    super();
  }
  async next(limit: number): Promise<Item[]> {
    return this.backlog.filter((item) => !this.excludeClaimed || !this.claimed.has(item.id)).slice(0, limit);
  }
}

/** Records what the receiver would see; each send takes a few event-loop turns, so sends overlap. */
class RecordingSender extends DrainSender<Item> {
  readonly starts: { id: string; at: number }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    private readonly clock: ManualClock,
    private readonly source: ListSource,
    private readonly answer: (item: Item, attempt: number) => DrainSendResult = () => ({ outcome: 'delivered', httpStatus: 200 }),
    private readonly turns = 5,
  ) {
    super();
  }
  async send(item: Item): Promise<DrainSendResult> {
    const result = this.answer(item, this.starts.length);
    // Refused or granted, the claim exists afterwards, so the source stops handing the item out.
    this.source.claimed.add(item.id);
    if (result.outcome === 'skipped') return result;
    this.starts.push({ id: item.id, at: this.clock.now().getTime() });
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    for (let i = 0; i < this.turns; i++) await tick();
    this.inFlight--;
    return result;
  }
  gaps(): number[] {
    return this.starts.slice(1).map((start, i) => start.at - this.starts[i].at);
  }
}

describe('PacedDrain', () => {
  let clock: ManualClock;
  let drain: PacedDrain;
  let t0: number;

  beforeEach(() => {
    clock = new ManualClock(new Date('2026-03-01T00:00:00Z'));
    t0 = clock.now().getTime();
    drain = new PacedDrain(clock, new ManualClockSleeper(clock));
  });

  const setup = (count: number, answer?: (item: Item, attempt: number) => DrainSendResult, turns?: number) => {
    const source = new ListSource(items(count));
    return { source, sender: new RecordingSender(clock, source, answer, turns) };
  };

  it('drains to empty, each item once, oldest first, and reports totals', async () => {
    const { source, sender } = setup(120);
    const result = await drain.run(source, sender, { ratePerSecond: 1000, batchSize: 50 });
    expect(result).toEqual({ state: 'drained', sent: 120, delivered: 120, failed: 0, skipped: 0 });
    expect(sender.starts.map((s) => s.id)).toEqual(items(120).map((i) => i.id));
  });

  it('never has more than `concurrency` sends in flight, and uses all of them', async () => {
    const { source, sender } = setup(40, undefined, 50);
    await drain.run(source, sender, { concurrency: 3, ratePerSecond: 1000 });
    expect(sender.maxInFlight).toBe(3);
    expect(sender.starts).toHaveLength(40);
  });

  it('defaults to 4 in flight at 20 per second', async () => {
    const { source, sender } = setup(21, undefined, 100);
    await drain.run(source, sender);
    expect(sender.maxInFlight).toBe(4);
    expect(sender.starts[20].at - t0).toBe(1000);
  });

  it('spaces the starts by the rate', async () => {
    const { source, sender } = setup(20);
    await drain.run(source, sender, { ratePerSecond: 5, concurrency: 4 });
    expect(sender.starts[0].at).toBe(t0);
    for (const gap of sender.gaps()) expect(gap).toBe(200);
  });

  it('keeps a high rate when its timer wakes it late: the sends it owes start at once, no more than PACER_BURST_MS of rate', async () => {
    // A loaded host: every sleep, however short, takes 15 ms.
    const late = new (class extends Sleeper {
      async sleep(): Promise<void> {
        clock.advance(15);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const { source, sender } = setup(200);
    await new PacedDrain(clock, late).run(source, sender, { ratePerSecond: 1000, concurrency: 4 });
    expect(sender.starts).toHaveLength(200);
    // 200 at 1000/s is 200 ms; a bucket of one send would have taken 200 × 15 ms.
    expect(sender.starts[199].at - t0).toBeLessThanOrEqual(400);
    const at = sender.starts.map((s) => s.at);
    for (const start of at) {
      const inWindow = at.filter((t) => t >= start && t < start + 100).length;
      expect(inWindow).toBeLessThanOrEqual(1 + (1000 * (PACER_BURST_MS + 100)) / 1000);
    }
  });

  it('accepts fractional rates', async () => {
    const { source, sender } = setup(4);
    await drain.run(source, sender, { ratePerSecond: 2.5, minRatePerSecond: 0.5 });
    expect(sender.gaps()).toEqual([400, 400, 400]);
  });

  it('halves the rate on a 503 and grows it back additively on deliveries', async () => {
    const { source, sender } = setup(7, (item) =>
      item.n === 3 ? { outcome: 'failed', httpStatus: 503 } : { outcome: 'delivered', httpStatus: 200 },
    );
    const progress: DrainProgress[] = [];
    const result = await drain.run(source, sender, {
      ratePerSecond: 10,
      concurrency: 1,
      batchSize: 100,
      onBatch: (p) => void progress.push(p),
    });
    // 10/s → 503 → 5/s → 6/s → 7/s; the three deliveries before the 503 were already at the top rate.
    expect(sender.gaps()).toEqual([100, 100, 100, 200, 167, 143]);
    expect(result).toMatchObject({ state: 'drained', sent: 7, delivered: 6, failed: 1 });
    expect(progress[0].ratePerSecond).toBe(8);
  });

  it('slows down on 429 and timeouts too, but never below the floor', async () => {
    const { source, sender } = setup(4, (item) =>
      item.n < 3
        ? { outcome: 'failed', ...(item.n === 1 ? { timedOut: true } : { httpStatus: 429 }) }
        : { outcome: 'delivered', httpStatus: 200 },
    );
    await drain.run(source, sender, { ratePerSecond: 4, minRatePerSecond: 1.5, concurrency: 1 });
    // 4/s → 2/s → 1.5/s (floor) → 1.5/s
    expect(sender.gaps()).toEqual([500, 667, 667]);
  });

  it('halves once for the failures of one window of in-flight sends, not once per failure', async () => {
    const { source, sender } = setup(
      9,
      (item) => (item.n < 4 ? { outcome: 'failed', httpStatus: 503 } : { outcome: 'delivered', httpStatus: 200 }),
      1000,
    );
    await drain.run(source, sender, { ratePerSecond: 16, concurrency: 4, maxConsecutiveFailures: 10 });
    // The four 503s were all in flight together: the rate drops to 8/s, not to 1/s.
    expect(sender.gaps()[4]).toBe(125);
  });

  it('honours Retry-After: no send starts before it has passed', async () => {
    const { source, sender } = setup(5, (item) =>
      item.n === 1 ? { outcome: 'failed', httpStatus: 429, retryAfterMs: 5_000 } : { outcome: 'delivered', httpStatus: 200 },
    );
    const result = await drain.run(source, sender, { ratePerSecond: 10, concurrency: 1 });
    expect(sender.starts[2].at - sender.starts[1].at).toBeGreaterThanOrEqual(5_000);
    expect(result).toMatchObject({ state: 'drained', delivered: 4, failed: 1, lastRetryAfterMs: 5_000 });
  });

  it('pauses every send, including the ones of other slots, for a Retry-After', async () => {
    const { source, sender } = setup(12, (_item, attempt) =>
      attempt === 0 ? { outcome: 'delivered', httpStatus: 200, retryAfterMs: 3_000 } : { outcome: 'delivered', httpStatus: 200 },
    );
    await drain.run(source, sender, { ratePerSecond: 1000, concurrency: 4 });
    const afterPause = sender.starts.filter((s) => s.at - t0 >= 3_000);
    const before = sender.starts.filter((s) => s.at - t0 < 3_000);
    // Only the sends already started before the answer came back go out early.
    expect(before.length).toBeLessThanOrEqual(4);
    expect(afterPause.length).toBe(12 - before.length);
  });

  it('goes back to probing when a Retry-After is longer than it may wait', async () => {
    const { source, sender } = setup(5, () => ({ outcome: 'failed', httpStatus: 503, retryAfterMs: 600_000 }));
    const result = await drain.run(source, sender, { concurrency: 1, maxPauseMs: 60_000 });
    expect(result).toEqual({ state: 'back_to_probing', sent: 1, delivered: 0, failed: 1, skipped: 0, lastRetryAfterMs: 600_000 });
  });

  it('stops after maxConsecutiveFailures failures in a row', async () => {
    const { source, sender } = setup(50, () => ({ outcome: 'failed', httpStatus: 503 }));
    const result = await drain.run(source, sender, { concurrency: 1, maxConsecutiveFailures: 5 });
    expect(result).toEqual({ state: 'back_to_probing', sent: 5, delivered: 0, failed: 5, skipped: 0 });
  });

  it('stops with at most the sends already in flight beyond the limit', async () => {
    const { source, sender } = setup(50, () => ({ outcome: 'failed' }), 20);
    const result = await drain.run(source, sender, { concurrency: 4, ratePerSecond: 1000, maxConsecutiveFailures: 5 });
    expect(result.state).toBe('back_to_probing');
    expect(result.failed).toBeGreaterThanOrEqual(5);
    expect(result.failed).toBeLessThanOrEqual(5 + 3);
  });

  it('counts only failures in a row: a delivery resets the count', async () => {
    const { source, sender } = setup(12, (item) =>
      item.n % 3 === 2 ? { outcome: 'delivered', httpStatus: 200 } : { outcome: 'failed', httpStatus: 400 },
    );
    const result = await drain.run(source, sender, { concurrency: 1, maxConsecutiveFailures: 3 });
    expect(result).toMatchObject({ state: 'drained', sent: 12, delivered: 4, failed: 8 });
  });

  it('stops within the batch once shouldContinue turns false (the kill switch)', async () => {
    let enabled = true;
    const { source, sender } = setup(100, (_item, attempt) => {
      if (attempt === 6) enabled = false;
      return { outcome: 'delivered', httpStatus: 200 };
    });
    const result = await drain.run(source, sender, { concurrency: 1, batchSize: 50, shouldContinue: () => enabled });
    expect(result).toEqual({ state: 'stopped', sent: 7, delivered: 7, failed: 0, skipped: 0 });
  });

  it('does not start when shouldContinue is false from the outset', async () => {
    const { source, sender } = setup(10);
    const result = await drain.run(source, sender, { shouldContinue: async () => false });
    expect(result).toEqual({ state: 'stopped', sent: 0, delivered: 0, failed: 0, skipped: 0 });
    expect(sender.starts).toHaveLength(0);
  });

  it('counts refused claims as skipped, neither sent nor failures', async () => {
    const { source, sender } = setup(10, (item) => (item.n < 7 ? { outcome: 'skipped' } : { outcome: 'delivered', httpStatus: 200 }));
    const result = await drain.run(source, sender, { maxConsecutiveFailures: 2 });
    expect(result).toEqual({ state: 'drained', sent: 3, delivered: 3, failed: 0, skipped: 7 });
  });

  it('never re-sends what a source hands out again, and ends instead of looping', async () => {
    const source = new ListSource(items(30), false);
    const sender = new RecordingSender(clock, source, (item) =>
      item.n % 2 ? { outcome: 'failed', httpStatus: 500 } : { outcome: 'delivered', httpStatus: 200 },
    );
    const result = await drain.run(source, sender, { batchSize: 10, maxConsecutiveFailures: 100 });
    expect(sender.starts.map((s) => s.id)).toEqual(items(10).map((i) => i.id));
    expect(result).toMatchObject({ state: 'drained', sent: 10, delivered: 5, failed: 5 });
  });

  it('sends what failed meanwhile, each once', async () => {
    const backlog = items(5);
    const source = new ListSource(backlog);
    const sender = new RecordingSender(clock, source, (item) => {
      if (item.n === 0) backlog.push({ id: 'late', n: 99 });
      return { outcome: 'delivered', httpStatus: 200 };
    });
    const result = await drain.run(source, sender, { batchSize: 2 });
    expect(sender.starts.map((s) => s.id)).toEqual(['d-0', 'd-1', 'd-2', 'd-3', 'd-4', 'late']);
    expect(result).toMatchObject({ state: 'drained', delivered: 6 });
  });

  it('counts a send that throws as failed and keeps going', async () => {
    const source = new ListSource(items(3));
    let calls = 0;
    const sender = new (class extends DrainSender<Item> {
      async send(item: Item): Promise<DrainSendResult> {
        source.claimed.add(item.id);
        if (++calls === 2) throw new Error('database went away');
        return { outcome: 'delivered', httpStatus: 200 };
      }
    })();
    expect(await drain.run(source, sender)).toEqual({ state: 'drained', sent: 3, delivered: 2, failed: 1, skipped: 0 });
  });

  it('reports each batch, and the batches add up to the totals', async () => {
    const { source, sender } = setup(25, (item) => (item.n === 4 ? { outcome: 'skipped' } : { outcome: 'delivered', httpStatus: 200 }));
    const progress: DrainProgress[] = [];
    const result = await drain.run(source, sender, { batchSize: 10, onBatch: async (p) => void progress.push(p) });
    expect(progress.map((p) => p.batch)).toEqual([1, 2, 3]);
    expect(progress.map((p) => p.counts.sent + p.counts.skipped)).toEqual([10, 10, 5]);
    expect(progress[2].totals).toEqual({ sent: 24, delivered: 24, failed: 0, skipped: 1 });
    expect(result).toMatchObject(progress[2].totals);
  });

  it.each<[PacedDrainOptions, string]>([
    [{ concurrency: 0 }, 'concurrency'],
    [{ concurrency: 1.5 }, 'concurrency'],
    [{ ratePerSecond: 0 }, 'ratePerSecond'],
    [{ ratePerSecond: Number.NaN }, 'ratePerSecond'],
    [{ maxConsecutiveFailures: -1 }, 'maxConsecutiveFailures'],
    [{ ratePerSecond: 2, minRatePerSecond: 3 }, 'minRatePerSecond'],
  ])('rejects %j naming %s', async (options, name) => {
    const { source, sender } = setup(1);
    await expect(drain.run(source, sender, options)).rejects.toThrow(new RegExp(name));
  });
});
