import { Replayer } from './replayer.port';
import type { ReplayRequest, ReplayResult } from './replay.types';

export type ReplayResponder = (request: ReplayRequest) => ReplayResult | Promise<ReplayResult>;

export const answerWithStatus =
  (httpStatus: number, extra: Pick<ReplayResult, 'retryAfter'> = {}): ReplayResponder =>
  () => ({
    ok: httpStatus >= 200 && httpStatus < 300,
    httpStatus,
    error: httpStatus >= 200 && httpStatus < 300 ? null : `HTTP ${httpStatus}`,
    durationMs: 0,
    ...extra,
  });

/** Sends nothing; answers 200 unless `responder` says otherwise. */
export class RecordingReplayer extends Replayer {
  private readonly recorded: ReplayRequest[] = [];

  constructor(private responder: ReplayResponder = answerWithStatus(200)) {
    super();
  }

  get requests(): readonly ReplayRequest[] {
    return this.recorded;
  }

  respondWith(responder: ReplayResponder): void {
    this.responder = responder;
  }

  reset(): void {
    this.recorded.length = 0;
  }

  async send(request: ReplayRequest): Promise<ReplayResult> {
    this.recorded.push(structuredClone(request));
    try {
      return await this.responder(request);
    } catch (error) {
      return { ok: false, httpStatus: null, error: error instanceof Error ? error.message : String(error), durationMs: 0 };
    }
  }
}
