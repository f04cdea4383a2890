import type { ReplayRequest, ReplayResult } from './replay.types';

/** Never throws for what the network or the receiver does: those are `ok: false`, so the caller always settles. */
export abstract class Replayer {
  abstract send(request: ReplayRequest): Promise<ReplayResult>;
}
