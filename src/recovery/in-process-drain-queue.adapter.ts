import { Logger } from '@nestjs/common';
import { DRAIN_WORKER_CONCURRENCY, DrainJob, DrainJobHandler, drainJobKey, DrainQueue, DrainQueueClosedError } from './drain-queue.port';

export interface InProcessDrainQueueOptions {
  /** Jobs run at once. */
  concurrency?: number;
}

/** The single-instance DrainQueue: the same dedupe and failure semantics as BullMQ's, in memory. */
export class InProcessDrainQueue extends DrainQueue {
  private readonly logger = new Logger(InProcessDrainQueue.name);
  /** Queued or running, by key: what makes a second enqueue a no-op. */
  private readonly jobs = new Map<string, DrainJob>();
  private readonly waiting: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly concurrency: number;
  private handler?: DrainJobHandler;
  private closed = false;

  constructor(options: InProcessDrainQueueOptions = {}) {
    super();
    this.concurrency = options.concurrency ?? DRAIN_WORKER_CONCURRENCY;
  }

  async enqueue(job: DrainJob): Promise<void> {
    if (this.closed) throw new DrainQueueClosedError();
    const key = drainJobKey(job);
    if (this.jobs.has(key)) return;
    this.jobs.set(key, { kind: job.kind, id: job.id });
    this.waiting.push(key);
    this.pump();
  }

  registerHandler(handler: DrainJobHandler): void {
    if (this.handler) throw new Error('a drain job handler is already registered');
    this.handler = handler;
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    await Promise.all(this.running);
  }

  private pump(): void {
    while (this.handler && !this.closed && this.running.size < this.concurrency && this.waiting.length > 0) {
      const key = this.waiting.shift()!;
      const run: Promise<void> = this.run(this.handler, key, this.jobs.get(key)!).finally(() => {
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private async run(handler: DrainJobHandler, key: string, job: DrainJob): Promise<void> {
    try {
      await handler(job, this.abort.signal);
    } catch (error) {
      this.logger.error(`drain job ${key} failed: ${(error as Error).message}`);
    } finally {
      this.jobs.delete(key);
    }
  }
}
