import { Injectable, Logger } from '@nestjs/common';
import { AnomalyDetector } from '../anomalies/anomaly-detector.port';
import { Clock } from '../clock/clock';
import { EndpointRef, endpointKey } from '../common/endpoint-key';
import { DeliveryOutcome, DeliveryStore } from '../deliveries/delivery-store.port';
import { FAILED_STATUSES } from '../deliveries/delivery.constants';
import { IncidentStore } from '../incidents/incident-store.port';
import { outageStartsOf } from '../incidents/outage-start';
import { RulesSource } from '../rules/rules.source';
import { probeIntervalSeconds } from '../scheduler/probe-loop.service';

/**
 * Detection that does not wait for the cycle: after an ingest batch with failures, the endpoints of
 * those failures are judged by the outage signal (exactly as detection judges them), and those
 * crossing it get their incident at once, so the probe loop probes them within one probe interval.
 * An endpoint that just got its incident is not judged again for half a probe interval. One check runs at a
 * time, and checks start at least CHECK_SPACING apart (a quarter of a probe interval when that is shorter): the
 * failures of batches that arrive meanwhile are judged together in the next check, so a dispatcher's burst costs
 * about one outage query per second however fast it reports, and detection stays well within a probe interval.
 */
const CHECK_SPACING_MS = 1000;

@Injectable()
export class OutageTrigger {
  private readonly logger = new Logger(OutageTrigger.name);
  private readonly openedAt = new Map<string, number>();
  /** One failed report per endpoint, waiting for the check in flight to finish. */
  private readonly queued = new Map<string, DeliveryOutcome>();
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly detector: AnomalyDetector,
    private readonly deliveries: DeliveryStore,
    private readonly incidents: IncidentStore,
    private readonly rules: RulesSource,
    private readonly clock: Clock,
  ) {}

  /** Fire and forget: never throws, never delays the ingest; a failure is logged. */
  afterIngest(items: readonly DeliveryOutcome[]): void {
    for (const item of items) {
      if (FAILED_STATUSES.includes(item.status)) this.queued.set(endpointKey(item.tenant_id, item.target), item);
    }
    if (this.queued.size > 0 && this.inFlight === null) this.inFlight = this.checkQueued();
  }

  /** Settles once every failure handed to afterIngest so far has been judged. */
  async settled(): Promise<void> {
    while (this.inFlight !== null) await this.inFlight;
  }

  private async checkQueued(): Promise<void> {
    try {
      while (this.queued.size > 0) {
        const items = [...this.queued.values()];
        this.queued.clear();
        const started = performance.now();
        await this.open(items).catch((error: unknown) =>
          this.logger.error(`Outage check after ingest failed: ${error instanceof Error ? error.stack : error}`),
        );
        const wait = this.checkSpacingMs() - (performance.now() - started);
        if (this.queued.size > 0 && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
      }
    } finally {
      this.inFlight = null;
    }
  }

  private checkSpacingMs(): number {
    return Math.min(CHECK_SPACING_MS, (probeIntervalSeconds(this.rules.current()) * 1000) / 4);
  }

  /** How many incidents one check opened or widened. */
  private async open(items: readonly DeliveryOutcome[]): Promise<number> {
    const now = this.clock.now();
    const rules = this.rules.current();
    const quietMs = ((rules.strategy_limits.RECOVER_BACKLOG.probe_interval_seconds ?? 60) * 1000) / 2;
    const refs = new Map<string, EndpointRef>();
    for (const item of items) {
      if (!FAILED_STATUSES.includes(item.status)) continue;
      const key = endpointKey(item.tenant_id, item.target);
      if (now.getTime() - (this.openedAt.get(key) ?? -Infinity) < quietMs) continue;
      refs.set(key, { tenantId: item.tenant_id, endpoint: item.target });
    }
    if (refs.size === 0) return 0;
    const signals = await this.detector.outageSignals([...refs.values()], now);
    const starts = await outageStartsOf(
      this.deliveries,
      signals.map((s) => ({ tenantId: s.tenant_id, endpoint: s.endpoint })),
      now,
      rules,
    );
    // All at once, not one after another: a probe-loop cycle that reads the active incidents meanwhile then sees
    // the batch's incidents together (a storm of them is one storm page, not a page each before the storm shows).
    await Promise.all(
      signals.map((signal) =>
        this.incidents.openOrUpdate(
          {
            tenantId: signal.tenant_id,
            endpoint: signal.endpoint,
            kind: signal.kind,
            severity: signal.severity,
            firstFailureAt: starts.get(endpointKey(signal.tenant_id, signal.endpoint))!,
            lastFailureAt: now,
            backlogSize: signal.failures,
          },
          now,
        ),
      ),
    );
    for (const signal of signals) this.openedAt.set(endpointKey(signal.tenant_id, signal.endpoint), now.getTime());
    for (const [key, at] of this.openedAt) if (now.getTime() - at >= quietMs) this.openedAt.delete(key);
    return signals.length;
  }
}
