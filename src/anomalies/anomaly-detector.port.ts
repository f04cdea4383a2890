import type { EndpointRef } from '../common/endpoint-key';
import type { Incident } from './incident';

export abstract class AnomalyDetector {
  /** Incidents ordered by severity (critical first), then failures (most first). */
  abstract detect(now: Date): Promise<Incident[]>;

  /** Judged exactly as `detect` judges it, in its order; endpoints that are not an outage are absent. */
  abstract outageSignals(endpoints: readonly EndpointRef[], now: Date): Promise<Incident[]>;

  async outageSignal(tenantId: string, endpoint: string, now: Date): Promise<Incident | null> {
    const [incident] = await this.outageSignals([{ tenantId, endpoint }], now);
    return incident ?? null;
  }
}
