import type { ReplayRequest, ReplayResult } from './replay.types';

/**
 * Re-sends one delivery. Never throws for what the network or the receiver does (refused,
 * timed out, 5xx): those come back as a result with `ok: false`, so the caller always settles.
 */
export abstract class Replayer {
  abstract send(request: ReplayRequest): Promise<ReplayResult>;
}
