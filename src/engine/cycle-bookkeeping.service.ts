import { Injectable, Logger } from '@nestjs/common';
import type { Incident } from '../anomalies/incident';
import { AuditLog } from '../audit/audit-log.port';
import { endpointKey } from '../common/endpoint-key';
import { CycleHistoryStore, OpenedCycle } from '../cycle-history/cycle-history-store.port';
import { Deferral, DeferralStore } from '../deferrals/deferral-store.port';
import { AutohealMetrics } from '../metrics/autoheal-metrics.service';
import { ReplayLedger } from '../replay/replay-ledger.port';
import type { AutohealRules } from '../rules/rules.types';
import type { ActionTaken, CycleResult } from './cycle-result';
import { recoveredActions } from './recovered-actions';

export type CycleTrigger = 'api' | 'schedule' | 'recheck' | 'probe';

/**
 * The writes around a cycle's decisions: what an earlier process left unfinished (before a live
 * cycle acts), the deferral runs the cycle ended (after it), and the cycle's report (history, metrics).
 */
@Injectable()
export class CycleBookkeeping {
  private readonly logger = new Logger(CycleBookkeeping.name);

  constructor(
    private readonly ledger: ReplayLedger,
    private readonly deferrals: DeferralStore,
    private readonly history: CycleHistoryStore,
    private readonly metrics: AutohealMetrics,
    private readonly audit: AuditLog,
  ) {}

  /**
   * What a crashed process left unfinished, before a live cycle acts: replays still `pending`
   * become visible as abandoned (never re-sent automatically), cycles still open past their lease
   * become `interrupted`, with what the audit trail shows they did.
   */
  async beforeLiveCycle(now: Date, rules: AutohealRules): Promise<void> {
    const [abandoned, interrupted] = await Promise.all([
      this.ledger.abandonStale(new Date(now.getTime() - rules.cycle.abandon_pending_after_seconds * 1000)),
      this.markInterrupted(),
    ]);
    if (abandoned.length > 0)
      this.logger.warn(`Marked ${abandoned.length} interrupted replay attempt(s) abandoned; they will not be re-sent automatically`);
    if (interrupted > 0) this.logger.warn(`Marked ${interrupted} cycle(s) interrupted: their process stopped before completing them`);
  }

  /**
   * A cycle that stopped mid-action never appended that action (nor any whose append failed): its claims'
   * audit intents, committed with each claim, say what it sent and where.
   */
  private async markInterrupted(): Promise<number> {
    let marked = 0;
    for (const cycle of await this.history.lapsed()) {
      const recovered = recoveredActions(await this.audit.ofCycle(cycle.cycleId, cycle.runAt), cycle.actionsTaken);
      if (await this.history.markInterrupted(cycle.cycleId, recovered)) marked += 1;
    }
    return marked;
  }

  /** The history row is a report: failing to write it never stops the cycle (the audit trail has every action). */
  async open(cycle: OpenedCycle): Promise<void> {
    await this.history.open(cycle).catch((error: unknown) => this.reportLost(cycle.cycleId, 'opened', error));
  }

  async append(cycleId: string, action: ActionTaken): Promise<void> {
    await this.history.append(cycleId, action).catch((error: unknown) => this.reportLost(cycleId, 'given an action', error));
  }

  async keepAlive(cycleId: string, leaseMs: number): Promise<void> {
    await this.history.keepAlive(cycleId, leaseMs).catch((error: unknown) => this.reportLost(cycleId, 'kept alive', error));
  }

  /**
   * After a live cycle: a run of deferrals ends when its incident is no longer detected (only
   * when coordination answered, so the cycle really looked), and no recheck stays due.
   */
  async afterLiveCycle(
    now: Date,
    rules: AutohealRules,
    active: Map<string, Deferral>,
    incidents: Incident[],
    clearRecovered: boolean,
  ): Promise<void> {
    if (clearRecovered) {
      const stillThere = new Set(incidents.map((i) => endpointKey(i.tenant_id, i.endpoint)));
      for (const [key, deferral] of active) {
        if (!stillThere.has(key)) await this.deferrals.close(deferral.tenant_id, deferral.endpoint, 'cleared');
      }
    }
    const delaySeconds = rules.strategy_limits.DEFER_AND_MONITOR.recheck_delay_seconds ?? 120;
    await this.deferrals.postponeDue(now, new Date(now.getTime() + delaySeconds * 1000));
  }

  async record(result: CycleResult, cycleId: string, trigger: CycleTrigger): Promise<void> {
    await this.history.complete(cycleId, result).catch((error: unknown) => this.reportLost(cycleId, 'completed', error));
    this.metrics.observe(result, trigger);
  }

  private reportLost(cycleId: string, what: string, error: unknown): void {
    // The actions happened and are in the audit trail; losing the report must not hide them.
    this.logger.error(`Cycle ${cycleId}: its history row was not ${what}: ${error instanceof Error ? error.message : error}`);
  }
}
