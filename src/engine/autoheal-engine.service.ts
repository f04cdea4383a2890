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
import type { MaintenanceWindow } from '../maintenance/maintenance-store.port';
import { StrategyPredictor } from '../predictors/strategy-predictor.port';
import { effectiveLimits } from '../rules/effective-limits';
import { RulesSource } from '../rules/rules.source';
import type { AutohealRules, Strategy } from '../rules/rules.types';
import { CycleBookkeeping, CycleTrigger } from './cycle-bookkeeping.service';
import { CycleInputs, IncidentReads } from './cycle-inputs.service';
import { ActionSkipped, ActionTaken, CycleResult, summarize, totalsOf } from './cycle-result';
import { CycleState } from './cycle-state';
import { StrategyExecutorRegistry } from './executors/strategy-executor';
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

  constructor(
    private readonly rulesSource: RulesSource,
    private readonly coordination: Coordination,
    private readonly inputs: CycleInputs,
    private readonly predictor: StrategyPredictor,
    private readonly executors: StrategyExecutorRegistry,
    private readonly bookkeeping: CycleBookkeeping,
  ) {}

  /**
   * Runs one cycle. Throws 403 when the kill switch is off, 409 when another live cycle holds
   * the cluster lock, 429 (Retry-After) beyond max_concurrent_heals cycles in flight.
   * When coordination (Redis) is unreachable it still detects and reports, but takes no action.
   */
  async runCycle(now: Date, dryRun: boolean, trigger: CycleTrigger = 'api'): Promise<CycleResult> {
    const started = performance.now();
    const rules = this.rulesSource.current();
    const controls = await this.inputs.controls(rules.global_safety);
    if (!controls.autoheal_enabled) {
      throw new DomainError(
        'autoheal_disabled',
        `Auto-healing is disabled by the global kill switch${controls.reason ? ` (${controls.reason})` : ''}; enable it with PUT /autoheal/controls or in the rules file`,
        HttpStatus.FORBIDDEN,
      );
    }
    const effectiveDryRun = dryRun || controls.dry_run;
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
          throw new DomainError('cycle_in_progress', 'A live healing cycle is already running in the cluster; try again when it finishes', HttpStatus.CONFLICT);
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
        this.inputs.incidents(now),
        !effectiveDryRun && !coordinationProblem ? this.bookkeeping.beforeLiveCycle(now, rules) : undefined,
      ]);
      // Opened before the first action, so a cycle whose process dies shows up as interrupted.
      await this.bookkeeping.open({ cycleId, runAt: now, incidentsDetected: incidents.length, dryRun: effectiveDryRun, leaseMs: slotMs });
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
        holdsLock: async () => !lock || (heartbeat.holds && (await this.coordination.renewLock(CYCLE_LOCK_KEY, lock, lockMs).catch(() => false))),
      };
      const result = await this.executeCycle(context, incidents, started);
      await this.bookkeeping.record(result, cycleId, trigger);
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
      `${rules.global_safety.max_concurrent_heals} healing cycles are already in flight (max_concurrent_heals); retry in ${RETRY_AFTER_SECONDS}s`,
      HttpStatus.TOO_MANY_REQUESTS,
      { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    );
  }

  private async executeCycle(ctx: CycleContext, incidents: Incident[], started: number): Promise<CycleResult> {
    const taken: ActionTaken[] = [];
    const skipped: ActionSkipped[] = [];

    const reads = await this.inputs.readForIncidents(incidents, ctx.rules, ctx.now);
    const decisions: Array<Decision | { incident: Incident; error: unknown }> = [];
    for (const incident of incidents) {
      decisions.push(await this.decide(incident, ctx, reads).catch((error: unknown) => ({ incident, error })));
    }
    // STRATEGY_PRIORITIES is the escalation order: when caps are tight, escalations go first.
    const priority = (d: (typeof decisions)[number]) => ('strategy' in d ? ctx.rules.strategy_priorities[d.strategy] : 0);
    decisions.sort((a, b) => priority(a) - priority(b));

    for (const decision of decisions) {
      if ('error' in decision) {
        skipped.push(this.failure(decision.incident, null, decision.error));
        continue;
      }
      try {
        if (!ctx.dryRun && !ctx.coordinationProblem && !(await ctx.holdsLock())) {
          skipped.push({ incident: summarize(decision.incident), strategy: decision.strategy, check: 'cycle_lock', reason: 'Cycle lock lost (the cycle outlived lock_ttl_seconds); no further action this cycle' });
          continue;
        }
        const outcome = await this.act(decision, ctx);
        if ('skipped' in outcome) {
          skipped.push(outcome.skipped);
          continue;
        }
        taken.push(outcome.taken);
        await this.bookkeeping.append(ctx.cycleId, outcome.taken);
        // What failed after the action had happened is reported beside it, never instead of it.
        for (const failure of outcome.failed ?? []) {
          skipped.push({ incident: summarize(decision.incident), strategy: decision.strategy, check: 'error', reason: `After the action: ${failure}` });
        }
      } catch (error) {
        // One failing incident never stops the others.
        skipped.push(this.failure(decision.incident, decision.strategy, error));
      }
    }

    if (!ctx.dryRun) await this.bookkeeping.afterLiveCycle(ctx.now, ctx.rules, ctx.deferrals, incidents, !ctx.coordinationProblem);

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
  private async decide(incident: Incident, ctx: CycleContext, reads: IncidentReads): Promise<Decision> {
    const replayLimits = effectiveLimits(ctx.rules, 'REPLAY_RECENT', incident.tenant_id);
    const failures = await this.inputs.failuresFor(incident, reads);
    const successRate = await this.inputs.successRateFor(incident, reads, ctx.now);
    const deferral = ctx.deferrals.get(endpointKey(incident.tenant_id, incident.endpoint));
    const deferLimits = ctx.rules.strategy_limits.DEFER_AND_MONITOR;
    const context = {
      recent_deliveries: failures.length > 0 ? failures : undefined,
      endpoint_success_rate: successRate.rate,
      max_batch: replayLimits.max_deliveries,
      deferrals: deferral?.deferrals ?? 0,
      max_deferrals: deferLimits.max_deferrals,
      min_failures: ctx.rules.detection.min_failures,
    };
    const { strategy, reason } = this.predictor.chooseStrategy(incident, context);
    const selection = selectReplayCandidates(failures, replayLimits, ctx.now);
    return {
      incident,
      strategy,
      rationale: reason,
      probability: this.predictor.predictOutcomeProbability(incident, strategy, context),
      replayCandidates: strategy === 'REPLAY_RECENT' ? selection.selected : [],
      recentFailures: selection.recent.length,
      eligibleDeliveries: selection.eligible,
    };
  }

  /** Act, safely: every check first, then the strategy's executor. */
  private async act(decision: Decision, ctx: CycleContext): Promise<{ skipped: ActionSkipped } | { taken: ActionTaken; failed?: string[] }> {
    const { incident, strategy, probability } = decision;
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
    });
    if (!verdict.allowed) {
      return { skipped: { incident: summarize(incident), strategy, check: verdict.check, reason: verdict.reason, probability } satisfies ActionSkipped };
    }
    const executor = this.executors.get(strategy);
    if (!executor) {
      return { skipped: { incident: summarize(incident), strategy, check: 'executor', reason: `${strategy} has no executor yet; nothing done`, probability } satisfies ActionSkipped };
    }
    const outcome = await executor.execute({
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
    });
    if ('taken' in outcome) return outcome;
    return { skipped: { incident: summarize(incident), strategy, ...outcome.skipped, probability } satisfies ActionSkipped };
  }

  private failure(incident: Incident, strategy: Strategy | null, error: unknown): ActionSkipped {
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error(`Incident ${incident.tenant_id} ${incident.endpoint} failed: ${message}`, error instanceof Error ? error.stack : undefined);
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
