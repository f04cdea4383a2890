import { setTimeout as pause } from 'node:timers/promises';
import { Job, Queue, Worker } from 'bullmq';
import { WEBHOOK_ID_HEADER } from './flaky-receiver';
import { postJson } from './http-post';
import type { Webhook } from './dispatcher-simulator';

export interface BullmqBaselineOptions {
  redisUrl: string;
  /** BullMQ's key prefix; the run's keys are all under it. */
  prefix: string;
  queueName?: string;
  /** The first retry's delay; each later one doubles it (BullMQ's exponential backoff). */
  baseDelayMs: number;
  attempts?: number;
  concurrency?: number;
}

interface DeliveryJob {
  id: string;
  target: string;
  payload: Record<string, unknown>;
}

/**
 * The usual way to deliver webhooks: a BullMQ queue and worker, each webhook a job retried with
 * exponential backoff (`attempts` in all) until its endpoint answers 2xx.
 */
export class BullmqBaselineDispatcher {
  readonly attempts: number;
  private readonly queue: Queue<DeliveryJob>;
  private readonly worker: Worker<DeliveryJob>;
  private readonly completed = new Set<string>();
  private readonly exhausted = new Set<string>();
  private added = 0;

  constructor(private readonly options: BullmqBaselineOptions) {
    this.attempts = options.attempts ?? 10;
    const name = options.queueName ?? 'webhook-deliveries';
    this.queue = new Queue<DeliveryJob>(name, { connection: { url: options.redisUrl }, prefix: options.prefix });
    this.worker = new Worker<DeliveryJob>(name, (job) => deliver(job), {
      connection: { url: options.redisUrl, maxRetriesPerRequest: null },
      prefix: options.prefix,
      concurrency: options.concurrency ?? 16,
    });
    this.worker.on('completed', (job) => this.completed.add(job.data.id));
    this.worker.on('failed', (job) => {
      if (job && job.attemptsMade >= this.attempts) this.exhausted.add(job.data.id);
    });
  }

  async ready(): Promise<void> {
    await this.worker.waitUntilReady();
    await this.queue.waitUntilReady();
  }

  /** Adds each webhook as a job at its due time (counted from `startAt`); resolves when all are queued. */
  async dispatch(webhooks: Webhook[], target: string, startAt = Date.now(), signal?: AbortSignal): Promise<void> {
    // Integer milliseconds: BullMQ stores delays with PX.
    const delay = Math.max(1, Math.round(this.options.baseDelayMs));
    await Promise.all(
      webhooks.map(async (webhook) => {
        await pause(Math.max(0, startAt + webhook.dueMs - Date.now()), undefined, { signal });
        await this.queue.add(
          'deliver',
          { id: webhook.id, target, payload: webhook.payload },
          {
            jobId: webhook.id,
            attempts: this.attempts,
            backoff: { type: 'exponential', delay },
            removeOnComplete: true,
            removeOnFail: true,
          },
        );
        this.added += 1;
      }),
    );
  }

  /** The last retry of a job comes this long after its first attempt: base × (2^(attempts−1) − 1). */
  get retrySpanMs(): number {
    return Math.max(1, Math.round(this.options.baseDelayMs)) * (2 ** (this.attempts - 1) - 1);
  }

  progress(): { added: number; delivered: number; exhausted: number } {
    return { added: this.added, delivered: this.completed.size, exhausted: this.exhausted.size };
  }

  /** Every job queued so far is delivered or out of attempts. */
  settled(expected: number): boolean {
    return this.added === expected && this.completed.size + this.exhausted.size >= expected;
  }

  /** Stops the worker and removes every key of the queue. */
  async close(): Promise<void> {
    await this.worker.close(true);
    await this.queue.obliterate({ force: true }).catch(() => undefined);
    await this.queue.close();
  }
}

async function deliver(job: Job<DeliveryJob>): Promise<void> {
  const { status } = await postJson(job.data.target, job.data.payload, { [WEBHOOK_ID_HEADER]: job.data.id });
  if (status < 200 || status >= 300) throw new Error(`HTTP ${status}`);
}
