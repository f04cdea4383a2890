import { HttpStatus, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { DomainError, NotFoundError } from '../common/domain-error';
import { RulesSource } from '../rules/rules.source';
import { DEFAULT_BACKLOG_STATUSES } from './backlog';
import { BacklogReader } from './backlog-reader.port';
import { DrainQueue } from './drain-queue.port';
import { CreateRecoveryBody, ListRecoveriesQuery } from './dto/recoveries.dto';
import { RecoveryRecord } from './recovery';
import { estimatedSeconds, recoveryPacing } from './recovery-pacing';
import { backlogFilterOf } from './recovery-runner.service';
import { RecoverySafety } from './recovery-safety.service';
import { RecoveryStore } from './recovery-store.port';

/** How far back a recovery may reach: older failures are rarely still wanted, and the scan is bounded. */
export const MAX_RECOVERY_AGE_DAYS = 30;

export interface RecoveryPlanView {
  dry_run: true;
  tenant_id: string;
  endpoint: string | null;
  per_endpoint: Array<{ endpoint: string; count: number; oldest_at: Date; newest_at: Date }>;
  total: number;
  estimated_duration_seconds: number;
  pacing: { drain_rate_per_second: number; drain_concurrency: number };
}

export type CreatedRecoveryView = RecoveryRecord & { estimated_duration_seconds: number };

class InvalidRecoveryError extends DomainError {
  constructor(message: string) {
    super('invalid_recovery', message);
  }
}

type RecoveryRequest = Pick<RecoveryRecord, 'tenant_id' | 'endpoint' | 'since' | 'until' | 'statuses' | 'triage_labels'>;

/** Operator recoveries: plan one, queue it as a drain job, follow it, cancel it. */
@Injectable()
export class RecoveriesService implements OnApplicationBootstrap {
  private readonly logger = new Logger(RecoveriesService.name);

  constructor(
    private readonly store: RecoveryStore,
    private readonly reader: BacklogReader,
    private readonly queue: DrainQueue,
    private readonly safety: RecoverySafety,
    private readonly rules: RulesSource,
    private readonly clock: Clock,
  ) {}

  /** Recoveries left queued or running by a stopped instance are queued again (a no-op where one still runs them). */
  async onApplicationBootstrap(): Promise<void> {
    try {
      for (const recovery of await this.store.unfinished()) await this.queue.enqueue({ kind: 'recovery', id: recovery.id });
    } catch (error) {
      this.logger.warn(`could not resume unfinished recoveries: ${(error as Error).message}`);
    }
  }

  async plan(body: CreateRecoveryBody): Promise<RecoveryPlanView> {
    const request = this.validated(body);
    const pacing = recoveryPacing(this.rules.current());
    const plan = await this.reader.plan(backlogFilterOf(request, pacing.maxDeliveries));
    return {
      dry_run: true,
      tenant_id: request.tenant_id,
      endpoint: request.endpoint,
      per_endpoint: plan.perEndpoint.map((e) => ({ endpoint: e.endpoint, count: e.count, oldest_at: e.oldestAt, newest_at: e.newestAt })),
      total: plan.total,
      estimated_duration_seconds: estimatedSeconds(plan.total, pacing),
      pacing: { drain_rate_per_second: pacing.ratePerSecond, drain_concurrency: pacing.concurrency },
    };
  }

  async create(body: CreateRecoveryBody, actor: string): Promise<CreatedRecoveryView> {
    const request = this.validated(body);
    const off = await this.safety.killSwitch();
    if (off) throw new DomainError('autoheal_disabled', `cannot start a recovery: ${off}`, HttpStatus.CONFLICT);
    const pacing = recoveryPacing(this.rules.current());
    const { total } = await this.reader.plan(backlogFilterOf(request, pacing.maxDeliveries));
    const recovery = await this.store.create(
      {
        tenantId: request.tenant_id,
        endpoint: request.endpoint,
        since: request.since,
        until: request.until,
        statuses: request.statuses,
        triageLabels: request.triage_labels,
        total,
        createdBy: actor,
      },
      this.clock.now(),
    );
    await this.queue.enqueue({ kind: 'recovery', id: recovery.id });
    return { ...recovery, estimated_duration_seconds: estimatedSeconds(total, pacing) };
  }

  async get(id: string): Promise<RecoveryRecord> {
    const recovery = await this.store.get(id);
    if (!recovery) throw new NotFoundError('Recovery', id);
    return recovery;
  }

  list(query: ListRecoveriesQuery, tenantIds?: string[]): Promise<RecoveryRecord[]> {
    return this.store.list({ tenantId: query.tenant_id, tenantIds, state: query.state, limit: query.limit });
  }

  /** A running recovery stops before its next send; the sends in flight finish and are counted. */
  async cancel(id: string, actor: string): Promise<RecoveryRecord> {
    const cancelled = await this.store.cancel(id, actor, this.clock.now());
    if (cancelled) return cancelled;
    const current = await this.get(id);
    throw new DomainError('recovery_finished', `recovery ${id} is already ${current.state}`, HttpStatus.CONFLICT);
  }

  private validated(body: CreateRecoveryBody): RecoveryRequest {
    const now = this.clock.now();
    const since = new Date(body.since);
    const until = body.until === undefined ? null : new Date(body.until);
    const oldest = new Date(now.getTime() - MAX_RECOVERY_AGE_DAYS * 86_400_000);
    if (since > now) throw new InvalidRecoveryError('since: must not be in the future');
    if (since < oldest) {
      throw new InvalidRecoveryError(`since: must be within the last ${MAX_RECOVERY_AGE_DAYS} days (on or after ${oldest.toISOString()})`);
    }
    if (until && until <= since) throw new InvalidRecoveryError('until: must be after since');
    return {
      tenant_id: body.tenant_id,
      endpoint: body.endpoint ?? null,
      since,
      until,
      statuses: body.statuses ?? [...DEFAULT_BACKLOG_STATUSES],
      triage_labels: body.triage_labels ?? null,
    };
  }
}
