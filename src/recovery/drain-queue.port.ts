export const DRAIN_JOB_KINDS = ['incident', 'recovery'] as const;
export type DrainJobKind = (typeof DRAIN_JOB_KINDS)[number];

/** One drain to run: an incident's backlog or an operator recovery, named by its id. */
export interface DrainJob {
  kind: DrainJobKind;
  id: string;
}

/**
 * Runs one job. `signal` aborts when the queue closes: a handler should stop at its next send
 * (PacedDrain's shouldContinue) and return. Handlers must be idempotent (claims make them so):
 * a job whose worker died is run again by another worker.
 */
export type DrainJobHandler = (job: DrainJob, signal: AbortSignal) => Promise<void>;

/** Drains to run, at most one queued or running per job. */
export abstract class DrainQueue {
  /** Queues the job; a no-op while a job with the same kind and id is queued or running. */
  abstract enqueue(job: DrainJob): Promise<void>;

  /** Starts running queued jobs with `handler`; once per queue. A handler that throws fails only its job. */
  abstract registerHandler(handler: DrainJobHandler): void;

  /** Takes no new jobs, aborts the handlers' signal and waits for running handlers to return. */
  abstract close(): Promise<void>;
}

/** Drain jobs one instance runs at once, whichever adapter. */
export const DRAIN_WORKER_CONCURRENCY = 5;

const JOB_ID = /^[A-Za-z0-9_.-]{1,200}$/;

/** The dedupe key, also BullMQ's job id (which may be neither an integer nor contain ':'). */
export function drainJobKey(job: DrainJob): string {
  if (!DRAIN_JOB_KINDS.includes(job.kind))
    throw new RangeError(`DrainJob kind must be one of ${DRAIN_JOB_KINDS.join(', ')}, got ${job.kind}`);
  if (typeof job.id !== 'string' || !JOB_ID.test(job.id))
    throw new RangeError(`DrainJob id must match ${JOB_ID}, got ${JSON.stringify(job.id)}`);
  return `${job.kind}-${job.id}`;
}

export class DrainQueueClosedError extends Error {
  constructor() {
    super('the drain queue is closed');
    this.name = 'DrainQueueClosedError';
  }
}
