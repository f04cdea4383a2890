import { randomUUID } from 'node:crypto';
import { DrainJob, DrainQueue, DrainQueueClosedError } from '../../src/recovery/drain-queue.port';
import { eventually } from '../utils/eventually';

export interface DrainQueueUnderTest {
  queue: DrainQueue;
  dispose(): Promise<void>;
}

/** A fresh, empty queue running one job at a time, so jobs run in the order they were queued. */
export type DrainQueueFactory = () => Promise<DrainQueueUnderTest>;

const WAIT_MS = 10_000;
const POLL_MS = 20;

class Gate {
  readonly opened: Promise<void>;
  open!: () => void;
  constructor() {
    this.opened = new Promise((resolve) => (this.open = resolve));
  }
}

/** The behaviour every DrainQueue adapter must share; run once per adapter. */
export function describeDrainQueueContract(name: string, factory: DrainQueueFactory): void {
  describe(`DrainQueue contract: ${name}`, () => {
    let subject: DrainQueueUnderTest | undefined;
    let queue: DrainQueue;
    let runs: string[];
    const job = (kind: DrainJob['kind'] = 'incident'): DrainJob => ({ kind, id: randomUUID() });
    const key = (j: DrainJob) => `${j.kind}-${j.id}`;
    const ranTimes = (j: DrainJob) => runs.filter((run) => run === key(j)).length;
    const eventuallyRan = (j: DrainJob, times = 1) => eventually(() => expect(ranTimes(j)).toBe(times), WAIT_MS, POLL_MS);
    // The handler has run, but a queue may still hold the finished job for a moment (BullMQ removes it after the handler
    // returns), and queueing it meanwhile is deduplicated: queue it again until it runs again.
    const queueAgainUntilRan = (j: DrainJob, times: number) =>
      eventually(
        async () => {
          if (ranTimes(j) < times) await queue.enqueue(j);
          expect(ranTimes(j)).toBeGreaterThanOrEqual(times);
        },
        WAIT_MS,
        POLL_MS,
      );

    beforeEach(async () => {
      runs = [];
      subject = await factory();
      queue = subject.queue;
    });
    afterEach(async () => {
      await subject?.dispose();
      subject = undefined;
    });

    it('runs each queued job with its kind and id', async () => {
      const seen: DrainJob[] = [];
      queue.registerHandler(async (j) => void seen.push(j));
      const incident = job('incident');
      const recovery = job('recovery');
      await queue.enqueue(incident);
      await queue.enqueue(recovery);
      await eventually(() => expect(seen).toEqual([incident, recovery]), WAIT_MS, POLL_MS);
    });

    it('runs jobs queued before a handler was registered', async () => {
      const j = job();
      await queue.enqueue(j);
      queue.registerHandler(async (d) => void runs.push(key(d)));
      await eventuallyRan(j);
    });

    it('ignores a second enqueue of a job still queued', async () => {
      const j = job();
      const after = job();
      await queue.enqueue(j);
      await queue.enqueue(j);
      await queue.enqueue(after);
      queue.registerHandler(async (d) => void runs.push(key(d)));
      await eventuallyRan(after);
      expect(runs).toEqual([key(j), key(after)]);
    });

    it('ignores a second enqueue of a job still running', async () => {
      const j = job();
      const after = job();
      const gate = new Gate();
      queue.registerHandler(async (d) => {
        runs.push(key(d));
        if (d.id === j.id) await gate.opened;
      });
      await queue.enqueue(j);
      await eventuallyRan(j);
      await queue.enqueue(j);
      gate.open();
      await queue.enqueue(after);
      await eventuallyRan(after);
      expect(runs).toEqual([key(j), key(after)]);
    });

    it('keeps an incident and a recovery with the same id apart', async () => {
      const id = randomUUID();
      queue.registerHandler(async (d) => void runs.push(key(d)));
      await queue.enqueue({ kind: 'incident', id });
      await queue.enqueue({ kind: 'recovery', id });
      await eventually(() => expect(runs.sort()).toEqual([`incident-${id}`, `recovery-${id}`]), WAIT_MS, POLL_MS);
    });

    it('runs a job again when it is queued again after it completed', async () => {
      const j = job();
      queue.registerHandler(async (d) => void runs.push(key(d)));
      await queue.enqueue(j);
      await eventuallyRan(j);
      await queueAgainUntilRan(j, 2);
    });

    it('survives a handler that throws: later jobs run, and the failed one can be queued again', async () => {
      const failing = job();
      const next = job();
      queue.registerHandler(async (d) => {
        runs.push(key(d));
        if (d.id === failing.id && ranTimes(failing) === 1) throw new Error('drain blew up');
      });
      await queue.enqueue(failing);
      await queue.enqueue(next);
      await eventuallyRan(next);
      expect(ranTimes(failing)).toBe(1);
      await queueAgainUntilRan(failing, 2);
    });

    it('on close, aborts the signal and waits for the running handler to return', async () => {
      const j = job();
      let returned = false;
      queue.registerHandler(async (d, signal) => {
        runs.push(key(d));
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        returned = true;
      });
      await queue.enqueue(j);
      await eventuallyRan(j);
      expect(returned).toBe(false);
      await queue.close();
      expect(returned).toBe(true);
      await expect(queue.enqueue(job())).rejects.toThrow(DrainQueueClosedError);
    });

    it('rejects an id that cannot be a job id, and a second handler', async () => {
      await expect(queue.enqueue({ kind: 'incident', id: 'a:b' })).rejects.toThrow(/id/);
      await expect(queue.enqueue({ kind: 'incident', id: '' })).rejects.toThrow(/id/);
      await expect(queue.enqueue({ kind: 'other' as DrainJob['kind'], id: 'x' })).rejects.toThrow(/kind/);
      queue.registerHandler(async () => {});
      expect(() => queue.registerHandler(async () => {})).toThrow(/already/);
    });
  });
}
