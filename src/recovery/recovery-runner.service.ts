import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { RulesSource } from '../rules/rules.source';
import { BacklogFilter } from './backlog';
import { BacklogReader } from './backlog-reader.port';
import { DrainJob } from './drain-queue.port';
import { DrainJobRouter } from './drain-job-router';
import { addCounts, drainOptions } from './drain-run';
import { DrainSendEvent, LedgerDrainSenderFactory } from './ledger-drain-sender';
import { DrainCounts, DrainProgress, DrainResult, PacedDrain } from './paced-drain';
import { RecoveryRecord } from './recovery';
import { recoveryPacing, throttledPacing } from './recovery-pacing';
import { TenantThrottles } from '../throttles/tenant-throttles.service';
import { RecoverySafety } from './recovery-safety.service';
import { RecoveryStore } from './recovery-store.port';
import { Sleeper } from './sleeper.port';

/** While paused for maintenance, how often the runner looks again (and sees a cancel or the kill switch). */
export const MAINTENANCE_POLL_MS = 1_000;

type RecoveryScope = Pick<RecoveryRecord, 'tenant_id' | 'endpoint' | 'since' | 'until' | 'statuses' | 'triage_labels'>;

export function backlogFilterOf(recovery: RecoveryScope, maxDeliveries?: number): BacklogFilter {
  return {
    tenantId: recovery.tenant_id,
    ...(recovery.endpoint !== null && { endpoint: recovery.endpoint }),
    since: new Date(recovery.since),
    ...(recovery.until !== null && { until: new Date(recovery.until) }),
    statuses: recovery.statuses,
    ...(recovery.triage_labels !== null && { triageLabels: recovery.triage_labels }),
    ...(maxDeliveries !== undefined && { maxDeliveries }),
  };
}

/**
 * Runs one operator recovery (drain jobs of kind `recovery`): the backlog through PacedDrain and the
 * ledger, oldest first, at RECOVER_BACKLOG's pacing. Between sends it stops for a cancel or the kill
 * switch (saying why in the row), and waits while an endpoint it sends to is in maintenance. A run
 * stopped by shutdown stays `running` and is resumed, without re-sending what it sent, by the next start.
 */
@Injectable()
export class RecoveryRunner implements OnModuleInit {
  private readonly logger = new Logger(RecoveryRunner.name);

  constructor(
    private readonly router: DrainJobRouter,
    private readonly store: RecoveryStore,
    private readonly reader: BacklogReader,
    private readonly drain: PacedDrain,
    private readonly senders: LedgerDrainSenderFactory,
    private readonly safety: RecoverySafety,
    private readonly rules: RulesSource,
    private readonly clock: Clock,
    private readonly sleeper: Sleeper,
    private readonly throttles: TenantThrottles,
  ) {}

  onModuleInit(): void {
    this.router.registerRunner('recovery', (job, signal) => this.run(job, signal));
  }

  async run(job: DrainJob, signal: AbortSignal): Promise<void> {
    const recovery = await this.store.start(job.id, this.clock.now());
    if (!recovery) return;
    try {
      await this.execute(recovery, signal);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.store.finish(recovery.id, 'failed', `stopped by an error: ${message}`, this.clock.now()).catch(() => undefined);
      throw error;
    }
  }

  private async execute(recovery: RecoveryRecord, signal: AbortSignal): Promise<void> {
    // A flooding tenant's recovery runs at its throttled rate, as the dispatcher is asked to.
    const pacing = throttledPacing(recoveryPacing(this.rules.current()), await this.throttles.factorFor(recovery.tenant_id));
    const filter = backlogFilterOf(recovery, pacing.maxDeliveries);
    const endpoints = recovery.endpoint ? [recovery.endpoint] : (await this.reader.plan(filter)).perEndpoint.map((e) => e.endpoint);
    // A resumed run goes on counting from what the earlier run recorded.
    const base: DrainCounts = { sent: recovery.sent, delivered: recovery.delivered, failed: recovery.failed, skipped: recovery.skipped };
    let totals = base;
    let stopReason: string | null = null;
    let lastFailure: string | null = null;
    let failuresInARow = 0;
    let pausedReason: string | null = null;

    const shouldContinue = async (): Promise<boolean> => {
      for (;;) {
        if (signal.aborted) return false;
        const current = await this.store.get(recovery.id);
        if (current?.state !== 'running') return false;
        stopReason = await this.safety.killSwitch();
        if (stopReason) return false;
        const now = this.clock.now();
        const window = await this.safety.maintenanceOf(endpoints, now);
        const paused = window ? `paused: ${window.endpoint} is in maintenance until ${new Date(window.until).toISOString()}` : null;
        if (paused !== pausedReason) {
          pausedReason = paused;
          await this.store.progress(recovery.id, totals, pausedReason, now);
        }
        if (!window) return true;
        await this.sleeper.sleep(Math.max(1, Math.min(new Date(window.until).getTime() - now.getTime(), MAINTENANCE_POLL_MS)));
      }
    };
    const onSend = ({ result }: DrainSendEvent) => {
      if (result.outcome === 'delivered') failuresInARow = 0;
      if (result.outcome !== 'failed') return;
      failuresInARow++;
      lastFailure = result.httpStatus ? `HTTP ${result.httpStatus}` : result.timedOut ? 'a timeout' : 'no answer';
    };

    const run = { actor: recovery.created_by, runId: recovery.id, startedAt: new Date(recovery.started_at!) };
    const sender = this.senders.create(run, onSend);
    const onBatch = async (progress: DrainProgress) => {
      totals = addCounts(base, progress.totals);
      await this.store.progress(recovery.id, totals, pausedReason, this.clock.now());
    };
    const result = await this.drain.run(this.reader.source(filter), sender, drainOptions(pacing, { shouldContinue, onBatch }));
    const failing =
      failuresInARow >= pacing.maxConsecutiveFailures ? `${failuresInARow} sends in a row failed (last: ${lastFailure})` : null;
    await this.conclude(recovery, result, signal, stopReason, failing);
  }

  private async conclude(
    recovery: RecoveryRecord,
    result: DrainResult,
    signal: AbortSignal,
    stopReason: string | null,
    failing: string | null,
  ): Promise<void> {
    const now = this.clock.now();
    if (signal.aborted) {
      this.logger.log(`recovery ${recovery.id} interrupted by shutdown; it resumes when the service starts again`);
    } else if (stopReason) {
      await this.store.finish(recovery.id, 'failed', `stopped: ${stopReason}`, now);
    } else if (result.state === 'back_to_probing') {
      const why = failing ?? `the endpoint asked to wait ${Math.round((result.lastRetryAfterMs ?? 0) / 1000)} s (Retry-After)`;
      await this.store.finish(recovery.id, 'failed', `stopped: ${why}; the endpoint is still failing, try again once it is back`, now);
    } else if (result.state === 'drained') {
      await this.store.finish(recovery.id, 'completed', null, now);
    }
  }
}
