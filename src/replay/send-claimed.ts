import type { Clock } from '../clock/clock';
import type { ReplayLedger } from './replay-ledger.port';
import { ReplayClaim, replayRequestFor, ReplayResult, ReplaySettlement } from './replay.types';
import type { Replayer } from './replayer.port';

export interface SentClaim {
  result: ReplayResult;
  /** Null when the attempt was abandoned meanwhile: the send happened all the same. */
  settlement: ReplaySettlement | null;
}

export async function sendClaimed(claim: ReplayClaim, replayer: Replayer, ledger: ReplayLedger, clock: Clock): Promise<SentClaim> {
  const result = await replayer.send(replayRequestFor(claim));
  const settlement = await ledger.settle(claim, result, clock.now());
  return { result, settlement };
}
