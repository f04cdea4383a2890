import type { EndpointRef } from '../common/endpoint-key';
import type { Incident } from './incident';

/** M3: which tenant+endpoints depart from their own baseline at `now`. Abstract class = DI token. */
export abstract class AnomalyDetector {
  /** Incidents ordered by severity (critical first), then failures (most first). */
  abstract detect(now: Date): Promise<Incident[]>;

  /**
   * The outage signal for just these endpoints (say, those of one `POST /deliveries` batch): the
   * incident of each that is a failure burst or a sustained outage at `now`, judged exactly as
   * `detect` judges it, in detect's order. Endpoints that are not an outage are absent.
   */
  abstract outageSignals(endpoints: readonly EndpointRef[], now: Date): Promise<Incident[]>;

  /** The outage signal of one endpoint, or null when it is not an outage at `now`. */
  async outageSignal(tenantId: string, endpoint: string, now: Date): Promise<Incident | null> {
    const [incident] = await this.outageSignals([{ tenantId, endpoint }], now);
    return incident ?? null;
  }
}
