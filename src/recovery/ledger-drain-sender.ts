import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { ReplayLedger } from '../replay/replay-ledger.port';
import { Replayer } from '../replay/replayer.port';
import type { EndpointLease, ReplayResult } from '../replay/replay.types';
import { sendClaimed } from '../replay/send-claimed';
import { TargetGuard } from '../replay/target-guard';
import type { BacklogDelivery } from './backlog';
import { DrainSender, DrainSendResult } from './drain-ports';
import { parseRetryAfter } from './retry-after';

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
}

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
    const { runId, startedAt, actor, lease, audit } = this.run;
    const claim = await ledger.claim(item.id, { cycleId: runId, cycleStartedAt: startedAt, actor, now: clock.now(), lease, audit });
    if (!claim) return this.report({ item, result: { outcome: 'skipped', reason: CLAIM_REFUSED } });
    const { result } = await sendClaimed(claim, replayer, ledger, clock);
    return this.report({ item, result: drainResultOf(result, clock.now()), attemptId: claim.attemptId });
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
