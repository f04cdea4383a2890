import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DrainJob, DrainJobKind, DrainQueue } from './drain-queue.port';

/** Runs one drain job of its kind; see DrainJobHandler for the signal and idempotence. */
export type DrainJobRunner = (job: DrainJob, signal: AbortSignal) => Promise<void>;

/**
 * The one DrainQueue handler, dispatching by `job.kind` to the runner each feature registers, so
 * incident drains and operator recoveries share the queue without knowing about each other.
 */
@Injectable()
export class DrainJobRouter implements OnApplicationBootstrap {
  private readonly runners = new Map<DrainJobKind, DrainJobRunner>();

  constructor(private readonly queue: DrainQueue) {}

  /** Call from a module's constructor or onModuleInit: jobs start flowing at bootstrap. */
  registerRunner(kind: DrainJobKind, runner: DrainJobRunner): void {
    if (this.runners.has(kind)) throw new Error(`a drain job runner for kind '${kind}' is already registered`);
    this.runners.set(kind, runner);
  }

  /**
   * At bootstrap rather than module init: every module's onModuleInit has run by then, so a job
   * already waiting in Redis never arrives before the runner of its kind is registered.
   */
  onApplicationBootstrap(): void {
    this.queue.registerHandler((job, signal) => this.dispatch(job, signal));
  }

  private async dispatch(job: DrainJob, signal: AbortSignal): Promise<void> {
    const runner = this.runners.get(job.kind);
    if (!runner) throw new Error(`no runner registered for drain jobs of kind '${job.kind}' (job ${job.id})`);
    await runner(job, signal);
  }
}
