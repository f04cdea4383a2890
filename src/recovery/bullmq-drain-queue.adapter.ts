import { Logger } from '@nestjs/common';
import { Job, Queue, Worker } from 'bullmq';
import { DRAIN_WORKER_CONCURRENCY, DrainJob, DrainJobHandler, drainJobKey, DrainQueue, DrainQueueClosedError } from './drain-queue.port';

export const DRAIN_QUEUE_NAME = 'autoheal-drains';
export const DEFAULT_DRAIN_LOCK_DURATION_MS = 30_000;

export interface BullmqDrainQueueOptions {
  url: string;
  /** BullMQ's key prefix, e.g. `autoheal:<REDIS_KEY_PREFIX>bull`. */
  prefix: string;
  queueName?: string;
  concurrency?: number;
  /**
   * How long a worker's hold on a job lasts without renewal: a worker that dies loses its jobs to
   * another worker about this long (plus up to two stalled checks) later.
   */
  lockDurationMs?: number;
  /** How often each worker looks for jobs whose lock has expired; defaults to the lock duration. */
  stalledIntervalMs?: number;
}

/**
 * Drain jobs on the service's Redis, so every instance drains. The job id is the dedupe key, and
 * finished jobs are removed so the same incident or recovery can be queued again later.
 */
export class BullmqDrainQueue extends DrainQueue {
  private readonly logger = new Logger(BullmqDrainQueue.name);
  private readonly abort = new AbortController();
  private readonly queueName: string;
  private queue?: Queue;
  private worker?: Worker<DrainJob>;
  private workerReady = false;
  private closed = false;

  constructor(private readonly options: BullmqDrainQueueOptions) {
    super();
    this.queueName = options.queueName ?? DRAIN_QUEUE_NAME;
  }

  async enqueue(job: DrainJob): Promise<void> {
    if (this.closed) throw new DrainQueueClosedError();
    const jobId = drainJobKey(job);
    await this.producer().add(job.kind, { kind: job.kind, id: job.id }, { jobId, attempts: 1, removeOnComplete: true, removeOnFail: true });
  }

  registerHandler(handler: DrainJobHandler): void {
    if (this.worker) throw new Error('a drain job handler is already registered');
    if (this.closed) throw new DrainQueueClosedError();
    // BullMQ writes lock durations with PX, which takes whole milliseconds only.
    const lockDuration = Math.ceil(this.options.lockDurationMs ?? DEFAULT_DRAIN_LOCK_DURATION_MS);
    this.worker = new Worker<DrainJob>(this.queueName, (job: Job<DrainJob>) => handler(job.data, this.abort.signal), {
      connection: { url: this.options.url, maxRetriesPerRequest: null },
      prefix: this.options.prefix,
      concurrency: this.options.concurrency ?? DRAIN_WORKER_CONCURRENCY,
      lockDuration,
      stalledInterval: Math.ceil(this.options.stalledIntervalMs ?? lockDuration),
    });
    this.worker.on('failed', (job, error) => this.logger.error(`drain job ${job?.id} failed: ${error.message}`));
    this.worker.on('error', (error) => this.logger.warn(`drain worker: ${error.message}`));
    // Its worker died or hung past the lock: BullMQ moved it back to the queue, and a live worker takes it over.
    this.worker.on('stalled', (jobId) => this.logger.warn(`drain job ${jobId} stalled: its worker is gone, another takes it over`));
    this.worker.on('ready', () => (this.workerReady = true));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    // A worker that never reached Redis, or has lost it, has no job it could finish, and a graceful
    // close would wait for the connection forever: close it at once.
    if (this.worker) await this.worker.close(!(await this.workerConnected(this.worker)));
    await this.queue?.close();
  }

  private async workerConnected(worker: Worker<DrainJob>): Promise<boolean> {
    if (!this.workerReady) return false;
    const clients = [await worker.backend.client, await worker.backend.blockingClient];
    return clients.every((client) => !client || client.status === 'ready');
  }

  /** Created on first use, so an instance that never queues a drain opens no connection for it. */
  private producer(): Queue {
    if (!this.queue) {
      this.queue = new Queue(this.queueName, { connection: { url: this.options.url }, prefix: this.options.prefix });
      this.queue.on('error', (error) => this.logger.warn(`drain queue: ${error.message}`));
    }
    return this.queue;
  }
}
