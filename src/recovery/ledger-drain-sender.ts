import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { ReplayLedger } from '../replay/replay-ledger.port';
import { Replayer } from '../replay/replayer.port';
import { ClaimContext, EndpointLease, replayRequestFor, ReplayResult } from '../replay/replay.types';
import { sendClaimed } from '../replay/send-claimed';
import { TargetGuard } from '../replay/target-guard';
import type { BacklogDelivery } from './backlog';
import { DrainSender, DrainSendResult } from './drain-ports';
import { parseRetryAfter } from './retry-after';

const logger = new Logger('LedgerDrainSender');
const CLAIM_REFUSED = 'claim refused: already claimed, sent since the run started, or no longer failed';

export interface LedgerDrainSenderDeps {
  ledger: ReplayLedger;
  replayer: Replayer;
  guard: TargetGuard;
  clock: Clock;
}

export interface LedgerDrainRun {
  /** Who sends: an operator's token subject, or `system:autoheal`. */
  actor: string;
  /** The recovery's or incident drain's id (a uuid), recorded on every attempt as its cycle. */
  runId: string;
  /** When the run started: a delivery anyone re-sent since then is not claimed again (a resumed run skips it). */
  startedAt: Date;
  /** The endpoint's healing lease the run holds: claims are refused once it is no longer current, and extend it. */
  lease?: EndpointLease;
  /** Write each claim's audit intent with it. */
  audit?: boolean;
  /** The strategy named in each claim's audit intent (incident probes and drains: RECOVER_BACKLOG). */
  strategy?: ClaimContext['strategy'];
  /**
   * Settle behind: send() resolves with the answer while its settlement is written, so a drain's
   * concurrency bounds the requests at the receiver, not the ledger's round trips; flush() awaits them.
   */
  settleBehind?: boolean;
}

/** Settlements written behind the sends, at most this many at once; the next send waits for one. */
export const MAX_SETTLEMENTS_BEHIND = 16;

/** What happened to one item, for a timeline or an audit trail. */
export interface DrainSendEvent {
  item: BacklogDelivery;
  result: DrainSendResult;
  /** Set when a request went out. */
  attemptId?: string;
}

/**
 * Sends one backlog delivery the safe way: target guard, then the ledger's claim (refused → skipped,
 * never sent), then the request, then the settlement. The guard is asked once per endpoint and run.
 */
export class LedgerDrainSender extends DrainSender<BacklogDelivery> {
  /** The guard's verdict per endpoint for this run: the refusal, or null when allowed (the replayer still checks at connect). */
  private readonly verdicts = new Map<string, string | null>();
  private readonly settling = new Set<Promise<void>>();
  private readonly settleErrors: Error[] = [];

  constructor(
    private readonly deps: LedgerDrainSenderDeps,
    private readonly run: LedgerDrainRun,
    private readonly onSend?: (event: DrainSendEvent) => void | Promise<void>,
  ) {
    super();
  }

  async send(item: BacklogDelivery): Promise<DrainSendResult> {
    const refused = await this.targetRefusal(item.endpoint);
    if (refused) return this.report({ item, result: { outcome: 'skipped', reason: refused } });
    const { ledger, replayer, clock } = this.deps;
    const { runId, startedAt, actor, lease, audit, strategy } = this.run;
    while (this.settling.size >= MAX_SETTLEMENTS_BEHIND) await Promise.race(this.settling);
    const claim = await ledger.claim(item.id, {
      cycleId: runId,
      cycleStartedAt: startedAt,
      actor,
      now: clock.now(),
      lease,
      audit,
      strategy,
    });
    if (!claim) return this.report({ item, result: { outcome: 'skipped', reason: CLAIM_REFUSED } });
    if (!this.run.settleBehind) {
      const { result } = await sendClaimed(claim, replayer, ledger, clock);
      return this.report({ item, result: drainResultOf(result, clock.now()), attemptId: claim.attemptId });
    }
    const result = await replayer.send(replayRequestFor(claim));
    // A settlement that fails leaves the claim pending (abandoned later): the send is never repeated, as after a crash.
    const settled: Promise<void> = ledger
      .settle(claim, result, clock.now())
      .then(
        () => undefined,
        (error: unknown) => {
          this.settleErrors.push(error instanceof Error ? error : new Error(String(error)));
        },
      )
      .finally(() => this.settling.delete(settled));
    this.settling.add(settled);
    return this.report({ item, result: drainResultOf(result, clock.now()), attemptId: claim.attemptId });
  }

  override async flush(): Promise<void> {
    while (this.settling.size > 0) await Promise.all([...this.settling]);
    const errors = this.settleErrors.splice(0);
    if (errors.length > 0) logger.warn(`${errors.length} settlement(s) not written, their claims stay pending: ${errors[0].message}`);
  }

  private async targetRefusal(endpoint: string): Promise<string | null> {
    if (!this.verdicts.has(endpoint)) {
      const verdict = await this.deps.guard.check(endpoint);
      this.verdicts.set(endpoint, verdict.allowed ? null : `target refused: ${verdict.reason}`);
    }
    return this.verdicts.get(endpoint)!;
  }

  private async report(event: DrainSendEvent): Promise<DrainSendResult> {
    await this.onSend?.(event);
    return event.result;
  }
}

/** Builds a LedgerDrainSender per run from the app's ledger, replayer, guard and clock. */
@Injectable()
export class LedgerDrainSenderFactory {
  private readonly deps: LedgerDrainSenderDeps;

  constructor(ledger: ReplayLedger, replayer: Replayer, guard: TargetGuard, clock: Clock) {
    this.deps = { ledger, replayer, guard, clock };
  }

  create(run: LedgerDrainRun, onSend?: (event: DrainSendEvent) => void | Promise<void>): LedgerDrainSender {
    return new LedgerDrainSender(this.deps, run, onSend);
  }
}

export function drainResultOf(result: ReplayResult, now: Date): DrainSendResult {
  const retryAfterMs = parseRetryAfter(result.retryAfter, now);
  return {
    outcome: result.ok ? 'delivered' : 'failed',
    ...(result.httpStatus !== null && { httpStatus: result.httpStatus }),
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    ...(result.timedOut && { timedOut: true }),
  };
}
