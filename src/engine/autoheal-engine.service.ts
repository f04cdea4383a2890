import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Incident } from '../anomalies/incident';
import { DomainError } from '../common/domain-error';
import { endpointKey } from '../common/endpoint-key';
import { Coordination } from '../coordination/coordination.port';
import { LeaseHeartbeat } from '../coordination/lease-heartbeat';
import type { Deferral } from '../deferrals/deferral-store.port';
import type { FailureSummary } from '../deliveries/delivery-store.port';
import type { IncidentRecord, IncidentState } from '../incidents/incident';
import type { MaintenanceWindow } from '../maintenance/maintenance-store.port';
import { StrategyPredictor } from '../predictors/strategy-predictor.port';
import { effectiveLimits, requiresApprovalForCritical } from '../rules/effective-limits';
import { RulesSource } from '../rules/rules.source';
import type { AutohealRules, Strategy } from '../rules/rules.types';
import type { StrategyChoice } from '../predictors/strategy-predictor.port';
import { CycleBookkeeping, CycleTrigger } from './cycle-bookkeeping.service';
import { CycleInputs, IncidentReads } from './cycle-inputs.service';
import { ActionSkipped, ActionTaken, CycleResult, summarize, totalsOf } from './cycle-result';
import { CycleState } from './cycle-state';
import { StrategyExecutorRegistry } from './executors/strategy-executor';
import { followedAnomaly, IncidentTracking } from './incident-tracking.service';
import { cooldownApplies, escalationDelayApplies, runSafetyChecks, selectReplayCandidates } from './safety-checks';
import { enterLogContext } from '../logging/log-context';

export type { CycleTrigger } from './cycle-bookkeeping.service';

export const CYCLE_LOCK_KEY = 'cycle:lock';
export const CYCLE_SLOTS_KEY = 'cycle:slots';
/** How long a caller refused for the concurrency cap should wait: about one dry cycle. */
const RETRY_AFTER_SECONDS = 5;

interface CycleContext {
  cycleId: string;
  now: Date;
  dryRun: boolean;
  rules: AutohealRules;
  killSwitch: { enabled: boolean; reason: string | null };
  coordinationProblem: string | null;
  state: CycleState | null;
  maintenance: Map<string, MaintenanceWindow>;
  deferrals: Map<string, Deferral>;
  /** False once a live cycle could not renew its lock: another instance may be acting now. */
  holdsLock: () => Promise<boolean>;
}

interface Decision {
  incident: Incident;
  strategy: Strategy;
  rationale: string;
  probability: number;
  replayCandidates: FailureSummary[];
  recentFailures: number;
  eligibleDeliveries: number;
  record: IncidentRecord | null;
  approved: boolean;
  approvedThrottleMinutes: number;
  /** Why nothing is done about it now (the incident waits for an operator), instead of acting. */
  hold?: string;
  /** The strategy waits for an operator's approval: what happens now is an escalation asking for it. */
  asksApproval: boolean;
}

type ActOutcome = { skipped: ActionSkipped } | { taken: ActionTaken; failed?: string[] };

/** What the decision does this cycle, for ordering and reporting: asking for an approval is an escalation. */
const actingStrategy = (d: Decision): Strategy => (d.asksApproval ? 'ESCALATE_OPERATOR' : d.strategy);

/**
 * What a persisted incident's state makes of the predictor's choice. A draining incident stays with
 * RECOVER_BACKLOG; one being probed stays with it unless the predictor escalates (K ineffective
 * attempts, permanent failures); one detection no longer reports is recovered or escalated, nothing else applies once the
 * burst has left the window; one escalated or awaiting approval waits for an operator.
 */
function followStrategy(
  state: IncidentState | null,
  detected: boolean,
  choice: StrategyChoice,
  recoveryAllowed: boolean,
): StrategyChoice | { hold: string } {
  const escalates = choice.strategy === 'ESCALATE_OPERATOR';
  if (state === null || (state === 'open' && detected)) return choice;
  if (state === 'escalated' || state === 'awaiting_approval') {
    return detected && escalates ? choice : { hold: `Incident is ${state.replace('_', ' ')}: waiting for an operator` };
  }
  // A drain runs because the endpoint answered its probe: the failures detection still counts are the ones being
  // delivered, not a reason to page. The drain itself goes back to probing when the endpoint fails again.
  if (state === 'draining' && recoveryAllowed) {
    return { strategy: 'RECOVER_BACKLOG', reason: 'Incident draining: the endpoint answered its probe, its backlog is being delivered' };
  }
  if (escalates) return choice;
  if (!recoveryAllowed) return { hold: `Incident is ${state} and no longer detected; RECOVER_BACKLOG is not allowed for the tenant` };
  const why = state === 'open' ? 'no longer detected: recovering its backlog' : `${state}`;
  return { strategy: 'RECOVER_BACKLOG', reason: `Incident ${why}: ${choice.reason}` };
}

/**
 * Observe → Predict → Act (safely). One cycle: read its inputs (incidents from M3, M1 triage,
 * M4 insights, operator state), choose a strategy per incident (StrategyPredictor), run every
 * safety check, then execute through the strategy's executor. The API and the scheduler both
 * come through `runCycle`.
 */
@Injectable()
export class AutohealEngine {
  private readonly logger = new Logger(AutohealEngine.name);
  private localCyclesInFlight = 0;
  private probeInFlight: Promise<CycleResult> | null = null;

  constructor(
    private readonly rulesSource: RulesSource,
    private readonly coordination: Coordination,
    private readonly inputs: CycleInputs,
    private readonly predictor: StrategyPredictor,
    private readonly executors: StrategyExecutorRegistry,
    private readonly bookkeeping: CycleBookkeeping,
    private readonly tracking: IncidentTracking,
  ) {}

  /**
   * Runs one cycle. Throws 403 when the kill switch is off, 409 when another live cycle holds
   * the cluster lock, 429 (Retry-After) beyond max_concurrent_heals cycles in flight.
   * When coordination (Redis) is unreachable it still detects and reports, but takes no action.
   * `probe` follows the active incidents only (no detection query): the probe loop between cycles.
   */
  async runCycle(now: Date, dryRun: boolean, trigger: CycleTrigger = 'api'): Promise<CycleResult> {
    if (trigger !== 'probe') {
      // This process's probe tick holds the cycle lock for a moment: a cycle waits for it rather than be refused.
      if (!dryRun) await this.probeInFlight?.catch(() => undefined);
      return this.cycle(now, dryRun, trigger);
    }
    const run = this.cycle(now, dryRun, trigger);
    this.probeInFlight = run;
    try {
      return await run;
    } finally {
      if (this.probeInFlight === run) this.probeInFlight = null;
    }
  }

  private async cycle(now: Date, dryRun: boolean, trigger: CycleTrigger): Promise<CycleResult> {
    const incidentsOnly = trigger === 'probe';
    const started = performance.now();
    const rules = this.rulesSource.current();
    const controls = await this.inputs.controls(rules.global_safety);
    if (!controls.autoheal_enabled) {
      throw new DomainError(
        'autoheal_disabled',
        `Auto-healing is disabled by the global kill ` +
          `switch${controls.reason ? ` (${controls.reason})` : ''}; enable it with PUT /autoheal/controls or in the rules file`,
        HttpStatus.FORBIDDEN,
      );
    }
    const effectiveDryRun = dryRun || controls.dry_run;
    await this.predictor.prepare(now);
    const cycleId = randomUUID();
    enterLogContext({ cycleId });

    const lockMs = rules.cycle.lock_ttl_seconds * 1000;
    const slotMs = rules.cycle.slot_ttl_seconds * 1000;

    let coordinationProblem: string | null = null;
    let slot: string | null = null;
    let lock: string | null = null;
    try {
      slot = await this.coordination.acquireSlot(CYCLE_SLOTS_KEY, rules.global_safety.max_concurrent_heals, slotMs);
      if (!slot) throw this.tooManyCycles(rules);
      if (!effectiveDryRun) {
        lock = await this.coordination.acquireLock(CYCLE_LOCK_KEY, lockMs);
        if (!lock) {
          throw new DomainError(
            'cycle_in_progress',
            'A live healing cycle is already running in the cluster; try again when it finishes',
            HttpStatus.CONFLICT,
          );
        }
      }
    } catch (error) {
      if (error instanceof DomainError) {
        await this.releaseQuietly(slot, null);
        throw error;
      }
      coordinationProblem = error instanceof Error ? error.message : String(error);
      this.logger.error(`Coordination unreachable, cycle ${cycleId} takes no action: ${coordinationProblem}`);
    }
    // Without Redis the cluster-wide cap cannot be counted; this process still keeps its own.
    const localSlot = coordinationProblem !== null;
    if (localSlot) {
      if (this.localCyclesInFlight >= rules.global_safety.max_concurrent_heals) throw this.tooManyCycles(rules);
      this.localCyclesInFlight += 1;
    }
    // Short leases, renewed while this process lives: a killed holder blocks the next cycle for one lease at most.
    const heartbeat = new LeaseHeartbeat(
      () => this.renewLeases(cycleId, slot, lock, lockMs, slotMs),
      Math.min(lockMs, slotMs) / 3,
      (error) => this.logger.warn(`Cycle ${cycleId} could not renew its leases: ${error instanceof Error ? error.message : error}`),
    );

    try {
      // Independent reads, side by side: the cycle's cost is the detection query plus a little.
      const [state, maintenance, deferrals, incidents] = await Promise.all([
        coordinationProblem
          ? null
          : CycleState.open(this.coordination, effectiveDryRun, now).catch((error: unknown) => {
              coordinationProblem = error instanceof Error ? error.message : String(error);
              return null;
            }),
        this.inputs.maintenance(now),
        this.inputs.deferrals(),
        incidentsOnly ? [] : this.inputs.incidents(now),
        !effectiveDryRun && !coordinationProblem && !incidentsOnly ? this.bookkeeping.beforeLiveCycle(now, rules) : undefined,
      ]);
      // Opened before the first action, so a cycle whose process dies shows up as interrupted. A probe
      // tick runs every probe interval and mostly finds nothing due: its row is written only if it acted.
      if (!incidentsOnly) {
        await this.bookkeeping.open({ cycleId, runAt: now, incidentsDetected: incidents.length, dryRun: effectiveDryRun, leaseMs: slotMs });
      }
      const context: CycleContext = {
        cycleId,
        now,
        dryRun: effectiveDryRun,
        rules,
        killSwitch: { enabled: controls.autoheal_enabled, reason: controls.reason },
        coordinationProblem,
        state,
        maintenance,
        deferrals,
        holdsLock: async () =>
          !lock || (heartbeat.holds && (await this.coordination.renewLock(CYCLE_LOCK_KEY, lock, lockMs).catch(() => false))),
      };
      const result = await this.executeCycle(context, incidents, started, incidentsOnly);
      // A probe tick with nothing due leaves no trace: it runs every probe interval.
      const acted = result.actions_taken.length + result.actions_skipped.length > 0;
      if (!incidentsOnly || acted) await this.bookkeeping.record(result, cycleId, trigger);
      return result;
    } finally {
      await heartbeat.stop();
      if (localSlot) this.localCyclesInFlight -= 1;
      await this.releaseQuietly(slot, lock);
    }
  }

  /** One heartbeat: the slot, the lock and the history row's lease; false once the lock is lost. */
  private async renewLeases(cycleId: string, slot: string | null, lock: string | null, lockMs: number, slotMs: number): Promise<boolean> {
    await this.bookkeeping.keepAlive(cycleId, slotMs);
    const [, lockHeld] = await Promise.all([
      slot ? this.coordination.renewSlot(CYCLE_SLOTS_KEY, slot, slotMs) : true,
      lock ? this.coordination.renewLock(CYCLE_LOCK_KEY, lock, lockMs) : true,
    ]);
    if (!lockHeld) this.logger.warn(`Cycle ${cycleId} lost the cycle lock; it takes no further action`);
    return lockHeld;
  }

  private tooManyCycles(rules: AutohealRules): DomainError {
    return new DomainError(
      'too_many_cycles',
      `${rules.global_safety.max_concurrent_heals} healing cycles are already ` +
        `in flight (max_concurrent_heals); retry in ${RETRY_AFTER_SECONDS}s`,
      HttpStatus.TOO_MANY_REQUESTS,
      { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    );
  }

  private async executeCycle(ctx: CycleContext, incidents: Incident[], started: number, incidentsOnly: boolean): Promise<CycleResult> {
    const taken: ActionTaken[] = [];
    const skipped: ActionSkipped[] = [];

    const tracked = await this.tracking.track(incidents, ctx.now, ctx.rules, ctx.dryRun, ctx.cycleId);
    const inIncident = new Set([...tracked.records.keys(), ...incidents.map((i) => endpointKey(i.tenant_id, i.endpoint))]);
    const storm = ctx.coordinationProblem ? false : await this.tracking.storm(inIncident, !incidentsOnly, ctx.now, ctx.rules, ctx.dryRun);
    const reads = await this.inputs.readForIncidents(incidents, ctx.rules, ctx.now);
    const decisions: Array<Decision | { incident: Incident; error: unknown }> = [];
    for (const incident of incidents) {
      const record = tracked.records.get(endpointKey(incident.tenant_id, incident.endpoint)) ?? null;
      decisions.push(await this.decide(incident, ctx, reads, record).catch((error: unknown) => ({ incident, error })));
    }
    for (const record of tracked.followed) {
      if (incidentsOnly && !dueForProbeTick(record, ctx.now)) continue;
      const decision = await this.decideFollowed(record, ctx).catch((error: unknown) => ({
        incident: followedAnomaly(record, [], ctx.now),
        error,
      }));
      if (decision) decisions.push(decision);
    }
    // STRATEGY_PRIORITIES is the escalation order: when caps are tight, escalations go first.
    const priority = (d: (typeof decisions)[number]) => ('strategy' in d ? ctx.rules.strategy_priorities[actingStrategy(d)] : 0);
    decisions.sort((a, b) => priority(a) - priority(b));

    for (const decision of decisions) {
      if ('error' in decision) {
        skipped.push(this.failure(decision.incident, null, decision.error));
        continue;
      }
      try {
        if (!ctx.dryRun && !ctx.coordinationProblem && !(await ctx.holdsLock())) {
          skipped.push({
            incident: summarize(decision.incident),
            strategy: decision.strategy,
            check: 'cycle_lock',
            reason: 'Cycle lock lost (the cycle outlived lock_ttl_seconds); no further action this cycle',
          });
          continue;
        }
        const outcome = await this.act(decision, ctx, storm);
        if ('skipped' in outcome) {
          skipped.push(outcome.skipped);
          continue;
        }
        taken.push(outcome.taken);
        if (!incidentsOnly) await this.bookkeeping.append(ctx.cycleId, outcome.taken);
        // What failed after the action had happened is reported beside it, never instead of it.
        for (const failure of outcome.failed ?? []) {
          const reason = `After the action: ${failure}`;
          skipped.push({ incident: summarize(decision.incident), strategy: actingStrategy(decision), check: 'error', reason });
        }
      } catch (error) {
        // One failing incident never stops the others.
        skipped.push(this.failure(decision.incident, actingStrategy(decision), error));
      }
    }

    if (!ctx.dryRun) {
      if (!incidentsOnly) await this.bookkeeping.afterLiveCycle(ctx.now, ctx.rules, ctx.deferrals, incidents, !ctx.coordinationProblem);
      await this.tracking.afterLiveCycle(ctx.now, ctx.rules);
    }

    const result: CycleResult = {
      run_at: ctx.now.toISOString(),
      incidents_detected: incidents.length,
      actions_taken: taken,
      actions_skipped: skipped,
      ...totalsOf(taken),
      execution_time_ms: Math.round((performance.now() - started) * 10) / 10,
      dry_run: ctx.dryRun,
    };
    return result;
  }

  /** Predict: the strategy for one incident, its probability, and what it would touch. */
  private async decide(incident: Incident, ctx: CycleContext, reads: IncidentReads, record: IncidentRecord | null): Promise<Decision> {
    const failures = await this.inputs.failuresFor(incident, reads);
    const successRate = await this.inputs.successRateFor(incident, reads, ctx.now);
    return this.choose(incident, failures, successRate.rate, ctx, record, true);
  }

  /**
   * An active incident detection did not report: judged on its record and its failures since it
   * began. One with no failure left (a replay or the dispatcher delivered them) is recovered, no action.
   */
  private async decideFollowed(record: IncidentRecord, ctx: CycleContext): Promise<Decision | null> {
    const failures = await this.tracking.failuresOf(record);
    if (failures.length === 0 && !ctx.dryRun && (await this.tracking.recoverIfEmpty(record, ctx.now, ctx.cycleId))) return null;
    return this.choose(followedAnomaly(record, failures, ctx.now), failures, null, ctx, record, false);
  }

  private async choose(
    incident: Incident,
    failures: FailureSummary[],
    successRate: number | null,
    ctx: CycleContext,
    record: IncidentRecord | null,
    detected: boolean,
  ): Promise<Decision> {
    const replayLimits = effectiveLimits(ctx.rules, 'REPLAY_RECENT', incident.tenant_id);
    const recoverLimits = effectiveLimits(ctx.rules, 'RECOVER_BACKLOG', incident.tenant_id);
    const recoveryAllowed = recoverLimits.strategy_allowed && recoverLimits.autoheal_enabled;
    const deferral = ctx.deferrals.get(endpointKey(incident.tenant_id, incident.endpoint));
    const deferLimits = ctx.rules.strategy_limits.DEFER_AND_MONITOR;
    const duplicateRatio = effectiveLimits(ctx.rules, 'SILENCE_DUPES', incident.tenant_id).duplicate_ratio ?? 0.9;
    const context = {
      recent_deliveries: failures.length > 0 ? failures : undefined,
      endpoint_success_rate: successRate,
      max_batch: replayLimits.max_deliveries,
      deferrals: deferral?.deferrals ?? 0,
      max_deferrals: deferLimits.max_deferrals,
      min_failures: ctx.rules.detection.min_failures,
      backlog_recovery: recoveryAllowed,
      replay_min_confidence: replayLimits.min_confidence,
      ineffective_attempts: record?.ineffective_attempts ?? 0,
      max_ineffective_attempts: recoverLimits.max_ineffective_attempts,
      strategy_priorities: ctx.rules.strategy_priorities,
      duplicate_ratio: duplicateRatio,
      disabled_strategies: replayLimits.disabled_strategies,
      tenant_throttled: await this.inputs.tenantThrottled(incident, ctx.now),
      signature_silenced: await this.inputs.signatureSilenced(incident, ctx.now, duplicateRatio),
    };
    const followed = followStrategy(record?.state ?? null, detected, this.predictor.chooseStrategy(incident, context), recoveryAllowed);
    const strategy = 'hold' in followed ? null : followed.strategy;
    // A throttled tenant's own replays keep to its throttle: the batch shrinks by the factor.
    const batchLimits =
      strategy === 'REPLAY_RECENT' ? await this.inputs.throttledReplayLimits(replayLimits, incident.tenant_id, ctx.now) : replayLimits;
    const selection = selectReplayCandidates(failures, batchLimits, ctx.now);
    // One approval per incident: a recovery's lets a critical incident be probed, a throttle's a long throttle.
    // A drain already running (the endpoint answered its probe) is not stopped for an approval when its backlog
    // grows critical meanwhile; should it fail again, the next drain asks.
    const granted = await this.tracking.approvedPlan(record);
    const approved = incident.severity === 'critical' && (record?.state === 'draining' || (granted !== null && !granted.throttle));
    const approvedThrottleMinutes = granted?.throttle?.duration_minutes ?? 0;
    const verdict = strategy
      ? this.predictor.shouldApply(incident, strategy, {
          approved,
          require_approval_for_critical: requiresApprovalForCritical(ctx.rules, incident.tenant_id),
        })
      : null;
    const decision = {
      incident,
      strategy: strategy ?? 'DEFER_AND_MONITOR',
      rationale: 'hold' in followed ? followed.hold : followed.reason,
      probability: strategy ? this.predictor.predictOutcomeProbability(incident, strategy, context) : 0,
      replayCandidates: strategy === 'REPLAY_RECENT' && detected ? selection.selected : [],
      recentFailures: detected ? selection.recent.length : 0,
      eligibleDeliveries: detected ? selection.eligible : 0,
      record,
      approved,
      approvedThrottleMinutes,
      asksApproval: verdict?.needs_approval === true && this.executors.get(strategy!)?.awaitApproval !== undefined,
    };
    return 'hold' in followed ? { ...decision, hold: followed.hold } : decision;
  }

  /** Act, safely: every check first, then the strategy's executor. */
  private async act(decision: Decision, ctx: CycleContext, storm: boolean): Promise<ActOutcome> {
    const outcome = await this.actSafely(decision, ctx, storm);
    if ('skipped' in outcome && !ctx.dryRun) await this.tracking.noteSkip(decision.record, outcome.skipped, ctx.now, ctx.cycleId);
    return outcome;
  }

  private async actSafely(decision: Decision, ctx: CycleContext, storm: boolean): Promise<ActOutcome> {
    const { incident, strategy, probability } = decision;
    if (decision.hold) {
      return { skipped: { incident: summarize(incident), strategy: null, check: 'incident_state', reason: decision.hold } };
    }
    const limits = effectiveLimits(ctx.rules, strategy, incident.tenant_id);
    const maintenance = ctx.maintenance.get(incident.endpoint) ?? null;
    const state = ctx.state;
    const verdict = runSafetyChecks({
      predictor: this.predictor,
      now: ctx.now,
      rules: ctx.rules,
      incident,
      strategy,
      probability,
      limits,
      killSwitch: ctx.killSwitch,
      coordinationProblem: ctx.coordinationProblem,
      maintenance,
      // Coordination is read only for the facts a check will use: no round trips per incident otherwise.
      lastHealedAt: state && cooldownApplies(strategy, limits) ? await state.lastHealedAt(incident.endpoint) : null,
      eligibleDeliveries: decision.eligibleDeliveries,
      recentFailures: decision.recentFailures,
      firstSeenAt:
        state && escalationDelayApplies(strategy, limits, incident)
          ? await state.firstSeenAt(incident.tenant_id, incident.endpoint, ctx.rules.detection.baseline_window_minutes * 60_000)
          : ctx.now,
      healsThisHour: state?.healsThisHour ?? 0,
      approved: decision.approved,
      approvedThrottleMinutes: decision.approvedThrottleMinutes,
    });
    const executor = this.executors.get(strategy);
    const approvalAsked = !verdict.allowed && verdict.needs_approval && executor?.awaitApproval;
    if (!verdict.allowed && !approvalAsked) {
      return {
        skipped: {
          incident: summarize(incident),
          strategy,
          check: verdict.check,
          reason: verdict.reason,
          probability,
        } satisfies ActionSkipped,
      };
    }
    if (!executor) {
      return {
        skipped: {
          incident: summarize(incident),
          strategy,
          check: 'executor',
          reason: `${strategy} has no executor yet; nothing done`,
          probability,
        } satisfies ActionSkipped,
      };
    }
    const plan = {
      cycleId: ctx.cycleId,
      now: ctx.now,
      dryRun: ctx.dryRun,
      rules: ctx.rules,
      incident,
      strategy,
      probability,
      rationale: decision.rationale,
      limits,
      replayCandidates: decision.replayCandidates,
      deferral: ctx.deferrals.get(endpointKey(incident.tenant_id, incident.endpoint)) ?? null,
      state: state!,
      record: decision.record,
      storm,
    };
    const outcome = approvalAsked && !verdict.allowed ? await executor.awaitApproval!(plan, verdict.reason) : await executor.execute(plan);
    if ('taken' in outcome) return outcome;
    return { skipped: { incident: summarize(incident), strategy, ...outcome.skipped, probability } satisfies ActionSkipped };
  }

  private failure(incident: Incident, strategy: Strategy | null, error: unknown): ActionSkipped {
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error(
      `Incident ${incident.tenant_id} ${incident.endpoint} failed: ${message}`,
      error instanceof Error ? error.stack : undefined,
    );
    return { incident: summarize(incident), strategy, check: 'error', reason: `Error while handling the incident: ${message}` };
  }

  private async releaseQuietly(slot: string | null, lock: string | null): Promise<void> {
    try {
      if (lock) await this.coordination.releaseLock(CYCLE_LOCK_KEY, lock);
      if (slot) await this.coordination.releaseSlot(CYCLE_SLOTS_KEY, slot);
    } catch (error) {
      // Both expire on their own; a release that fails only delays the next cycle.
      this.logger.warn(`Could not release cycle lock/slot: ${error instanceof Error ? error.message : error}`);
    }
  }
}

/** What a probe tick acts on: incidents to start, probes that are due, drains to keep queued. */
function dueForProbeTick(record: IncidentRecord, now: Date): boolean {
  if (record.state === 'open' || record.state === 'draining') return true;
  return record.state === 'probing' && (!record.next_probe_at || record.next_probe_at.getTime() <= now.getTime());
}
