import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.port';
import { Clock } from '../clock/clock';
import { AUTOHEAL_OPERATOR } from '../engine/executors/autoheal-audit';
import { businessHoursProblem } from '../engine/safety-checks';
import type { IncidentRecord } from '../incidents/incident';
import { IncidentStore, NewIncidentEvent } from '../incidents/incident-store.port';
import { SYSTEM_ACTOR } from '../incidents/incident-lifecycle';
import { AutohealMetrics } from '../metrics/autoheal-metrics.service';
import { EffectiveLimits, effectiveLimits } from '../rules/effective-limits';
import { ReplayLedger } from '../replay/replay-ledger.port';
import type { EndpointLease } from '../replay/replay.types';
import { RulesSource } from '../rules/rules.source';
import type { AutohealRules } from '../rules/rules.types';
import { BacklogReader } from './backlog-reader.port';
import { DrainJobRouter } from './drain-job-router';
import { addCounts, DrainHooks, drainOptions } from './drain-run';
import { incidentBacklogFilter } from './incident-backlog.service';
import { LedgerDrainSenderFactory } from './ledger-drain-sender';
import { DrainCounts, DrainProgress, DrainResult, PacedDrain } from './paced-drain';
import { throttledPacing } from './recovery-pacing';
import { TenantThrottles } from '../throttles/tenant-throttles.service';
import { RecoverySafety } from './recovery-safety.service';
import { IncidentRecovery } from './incident-recovery.service';

/** A drain's pause conditions are read at most this often: a kill switch stops it within a batch, not a round trip per send. */
export const DRAIN_CHECK_INTERVAL_MS = 200;
/** Passes over the backlog while a pass still delivers: what failed once (a 429, a flap) gets another go. */
const MAX_PASSES = 5;

/**
 * Runs the drain jobs of kind `incident`: the incident's backlog (RECOVER_BACKLOG's filter) through
 * PacedDrain and the ledger, at the tenant's drain limits. Before each batch and (at most every
 * DRAIN_CHECK_INTERVAL_MS) each send it stops for the kill switch, maintenance, business hours, the
 * tenant's policy, shutdown, or the incident leaving `draining`. Drained → recovered; failing again →
 * probing; stopped → still draining, and the next cycle queues it again.
 */
@Injectable()
export class IncidentDrainRunner implements OnModuleInit {
  private readonly logger = new Logger(IncidentDrainRunner.name);

  constructor(
    private readonly router: DrainJobRouter,
    private readonly incidents: IncidentStore,
    private readonly reader: BacklogReader,
    private readonly drain: PacedDrain,
    private readonly senders: LedgerDrainSenderFactory,
    private readonly safety: RecoverySafety,
    private readonly rules: RulesSource,
    private readonly audit: AuditLog,
    private readonly metrics: AutohealMetrics,
    private readonly clock: Clock,
    private readonly ledger: ReplayLedger,
    private readonly throttles: TenantThrottles,
    private readonly recovery: IncidentRecovery,
  ) {}

  onModuleInit(): void {
    this.router.registerRunner('incident', async (job, signal) => void (await this.run(job.id, signal)));
  }

  async run(incidentId: string, signal: AbortSignal): Promise<DrainResult | null> {
    const [record] = (await this.incidents.active({ states: ['draining'] })).filter((r) => r.id === incidentId);
    if (!record) return null;
    const rules = this.rules.current();
    // The endpoint's healing lease, like every replay: each claim extends it, so it lasts while the drain sends.
    const leaseMs = rules.cycle.abandon_pending_after_seconds * 1000;
    const lease = await this.ledger.acquireEndpointLease(record.tenant_id, record.endpoint, `drain:${record.id}`, leaseMs);
    if (!lease) {
      this.logger.log(`Drain of incident ${record.id} waits: another cycle holds the healing lease of ${record.endpoint}`);
      return null;
    }
    this.logger.log(`Draining incident ${record.id} (${record.endpoint})`);
    try {
      return await this.drainUnder(record, rules, lease, signal);
    } finally {
      await this.ledger.releaseEndpointLease(lease).catch(() => undefined);
    }
  }

  private async drainUnder(record: IncidentRecord, rules: AutohealRules, lease: EndpointLease, signal: AbortSignal): Promise<DrainResult> {
    const limits = effectiveLimits(rules, 'RECOVER_BACKLOG', record.tenant_id);
    const check = this.pauseCheck(record, rules, limits, signal);
    let lastDeliveredAt: Date | null = null;
    let totals: DrainCounts = { sent: 0, delivered: 0, failed: 0, skipped: 0 };
    let result: DrainResult | null = null;
    for (let pass = 1; pass <= MAX_PASSES; pass++) {
      const audit = rules.global_safety.audit_all_actions;
      const run = {
        actor: AUTOHEAL_OPERATOR,
        runId: record.id,
        startedAt: this.clock.now(),
        lease,
        audit,
        settleBehind: true,
        strategy: 'RECOVER_BACKLOG' as const,
      };
      // Read each pass: a throttle applied (or lifted) meanwhile takes effect on the next one.
      const pacing = throttledPacing(
        {
          concurrency: limits.drain_concurrency ?? 4,
          ratePerSecond: limits.drain_rate_per_second ?? 20,
          maxConsecutiveFailures: limits.drain_max_consecutive_failures ?? 5,
          maxDeliveries: limits.max_backlog_deliveries ?? 100_000,
        },
        await this.throttles.factorFor(record.tenant_id),
      );
      const sender = this.senders.create(run, (event) => {
        if (event.result.outcome === 'delivered') lastDeliveredAt = this.clock.now();
      });
      const hooks: DrainHooks = { shouldContinue: () => check.ok(), onBatch: (progress) => this.onBatch(record, progress, pass, rules) };
      result = await this.drain.run(this.reader.source(incidentBacklogFilter(record, limits)), sender, drainOptions(pacing, hooks));
      totals = addCounts(totals, result);
      if (result.state !== 'drained' || result.failed === 0 || result.delivered === 0) break;
    }
    await this.finish(record, { ...result!, ...totals }, lastDeliveredAt, check.reason(), limits, rules);
    return { ...result!, ...totals };
  }

  private async onBatch(record: IncidentRecord, progress: DrainProgress, pass: number, rules: AutohealRules): Promise<void> {
    const now = this.clock.now();
    const { counts } = progress;
    this.metrics.countDrained('delivered', counts.delivered);
    this.metrics.countDrained('failed', counts.failed);
    await this.incidents.increment(record.id, { deliveredByHeal: counts.delivered, sendsWasted: counts.failed }, now);
    const detail = { pass, batch: progress.batch, counts, totals: progress.totals, rate_per_second: progress.ratePerSecond };
    await this.incidents.recordEvent(record.id, this.event('drain_batch', now, detail));
    await this.auditOf(record, 'autoheal_drain_batch', now, detail, rules);
  }

  private async finish(
    record: IncidentRecord,
    result: DrainResult,
    lastDeliveredAt: Date | null,
    pause: string | null,
    limits: EffectiveLimits,
    rules: AutohealRules,
  ): Promise<void> {
    const now = this.clock.now();
    const totals = { sent: result.sent, delivered: result.delivered, failed: result.failed, skipped: result.skipped };
    if (result.state === 'drained') {
      const healedFrom = record.first_probe_success_at ?? record.last_probe_at ?? now;
      const healedAt = lastDeliveredAt ?? record.last_probe_at ?? now;
      const timeToHeal = Math.max(0, (healedAt.getTime() - healedFrom.getTime()) / 1000);
      const moved = await this.recovery.markRecovered(
        record,
        ['draining'],
        { recovered_at: now, time_to_heal_seconds: timeToHeal, backlog_size: 0 },
        this.event('recovered', now, { ...totals, time_to_heal_seconds: timeToHeal }),
      );
      if (moved) {
        this.metrics.observeTimeToHeal(timeToHeal);
        const detail = { ...totals, time_to_heal_seconds: timeToHeal, delivered_by_heal: moved.delivered_by_heal };
        await this.auditOf(moved, 'autoheal_recovered', now, detail, rules);
      }
      return;
    }
    if (result.state === 'back_to_probing') {
      // A drain that delivered nothing was a heal that did not work: after K of them the predictor escalates.
      if (result.delivered === 0) await this.incidents.increment(record.id, { ineffectiveAttempts: 1 }, now);
      const waitMs = Math.max((limits.probe_interval_seconds ?? 60) * 1000, result.lastRetryAfterMs ?? 0);
      const detail = { reason: `the endpoint failed ${limits.drain_max_consecutive_failures ?? 5} sends in a row`, ...totals };
      const patch = { next_probe_at: new Date(now.getTime() + waitMs) };
      await this.incidents.transition(record.id, ['draining'], 'probing', patch, this.event('state_changed', now, detail));
      await this.auditOf(record, 'autoheal_drain_back_to_probing', now, detail, rules);
      return;
    }
    const reason = pause ?? 'stopped';
    await this.incidents.recordEvent(record.id, this.event('skipped', now, { check: 'drain_paused', reason, ...totals }));
    await this.auditOf(record, 'autoheal_drain_paused', now, { reason, ...totals }, rules);
  }

  /**
   * Why the drain must stop now, or null. Read before the drain starts, then again at most every
   * DRAIN_CHECK_INTERVAL_MS in the background: the sends go on meanwhile instead of waiting for the
   * reads (on a loaded host they take longer than the interval), and the first send after a read that
   * says stop is not started. A read that fails stops the drain (it stays draining; the next tick queues it).
   */
  private pauseCheck(record: IncidentRecord, rules: AutohealRules, limits: EffectiveLimits, signal: AbortSignal) {
    let checkedAt = -Infinity;
    let reason: string | null = null;
    let reading: Promise<void> | null = null;
    const evaluate = async (): Promise<string | null> => {
      if (signal.aborted) return 'the drain worker is shutting down';
      if (!limits.autoheal_enabled || !limits.strategy_allowed) return `tenant ${record.tenant_id} does not allow RECOVER_BACKLOG`;
      const now = this.clock.now();
      const hours = businessHoursProblem(rules.global_safety.business_hours, now);
      const [killSwitch, maintenance, [still]] = await Promise.all([
        this.safety.killSwitch(),
        this.safety.maintenanceOf([record.endpoint], now),
        this.incidents.active({ tenantId: record.tenant_id, endpoint: record.endpoint, states: ['draining'] }),
      ]);
      if (killSwitch) return killSwitch;
      if (maintenance) {
        return `endpoint in maintenance until ${maintenance.until.toISOString()}${maintenance.reason ? ` (${maintenance.reason})` : ''}`;
      }
      if (hours) return hours;
      return still?.id === record.id ? null : 'the incident is no longer draining';
    };
    const read = (): Promise<void> =>
      (reading ??= evaluate()
        .then(
          (found) => {
            reason ??= found;
          },
          (error: unknown) => {
            reason ??= `the drain's safety checks could not be read: ${error instanceof Error ? error.message : error}`;
          },
        )
        .finally(() => (reading = null)));
    return {
      ok: async (): Promise<boolean> => {
        if (signal.aborted) reason ??= 'the drain worker is shutting down';
        if (reason !== null) return false;
        const now = this.clock.now().getTime();
        if (checkedAt === -Infinity) {
          checkedAt = now;
          await read();
        } else if (now - checkedAt >= DRAIN_CHECK_INTERVAL_MS) {
          checkedAt = now;
          void read();
        }
        return reason === null;
      },
      reason: () => reason,
    };
  }

  private event(type: NewIncidentEvent['type'], at: Date, detail: Record<string, unknown>): NewIncidentEvent {
    return { type, at, actor: SYSTEM_ACTOR, cycleId: null, detail };
  }

  private async auditOf(
    record: IncidentRecord,
    action: string,
    at: Date,
    detail: Record<string, unknown>,
    rules: AutohealRules,
  ): Promise<void> {
    if (!rules.global_safety.audit_all_actions) return;
    await this.audit
      .record({
        operator_id: AUTOHEAL_OPERATOR,
        action,
        resource_type: 'incident',
        resource_id: record.id,
        tenant_id: record.tenant_id,
        at,
        meta: { strategy: 'RECOVER_BACKLOG', endpoint: record.endpoint, ...detail },
      })
      .catch((error: unknown) =>
        this.logger.error(`Audit write failed for ${action} on incident ${record.id}: ${error instanceof Error ? error.message : error}`),
      );
  }
}
