import type { Incident } from './incident';

/** M3: which tenant+endpoints depart from their own baseline at `now`. Abstract class = DI token. */
export abstract class AnomalyDetector {
  /** Incidents ordered by severity (critical first), then failures (most first). */
  abstract detect(now: Date): Promise<Incident[]>;
}
