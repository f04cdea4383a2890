import { Injectable, Logger } from '@nestjs/common';
import type { Incident } from '../anomalies/incident';
import { AnomalyDetector } from '../anomalies/anomaly-detector.port';
import { endpointKey } from '../common/endpoint-key';
import { ControlsStore, EffectiveControls } from '../controls/controls-store.port';
import { Deferral, DeferralStore } from '../deferrals/deferral-store.port';
import { DeliveryStore, FailureSummary } from '../deliveries/delivery-store.port';
import { EndpointSuccessRate, Insights } from '../insights/insights.port';
import { MaintenanceStore, MaintenanceWindow } from '../maintenance/maintenance-store.port';
import type { EffectiveLimits } from '../rules/effective-limits';
import type { AutohealRules, GlobalSafety } from '../rules/rules.types';
import { TenantThrottles } from '../throttles/tenant-throttles.service';
import { SilenceStore } from '../escalation/silence-store.port';

const REPLAY_CANDIDATE_SCAN_LIMIT = 100;

/** What the cycle reads about all its incidents in one go, keyed by endpointKey. */
export interface IncidentReads {
  since: Date;
  failures: Map<string, FailureSummary[]>;
  successRates: Map<string, EndpointSuccessRate>;
}

/**
 * Everything a cycle reads before it decides ("Observe"): the operator's controls, maintenance
 * windows and deferral runs, the incidents (M3), and per incident its recent failures (M1 labels)
 * and replay success rate (M4).
 */
@Injectable()
export class CycleInputs {
  private readonly logger = new Logger(CycleInputs.name);

  constructor(
    private readonly controlsStore: ControlsStore,
    private readonly maintenanceStore: MaintenanceStore,
    private readonly deferralStore: DeferralStore,
    private readonly detector: AnomalyDetector,
    private readonly deliveries: DeliveryStore,
    private readonly insights: Insights,
    private readonly throttles: TenantThrottles,
    private readonly silences: SilenceStore,
  ) {}

  /** Read only where SILENCE_DUPES could apply: whether the incident's signature is silenced already. */
  async signatureSilenced(incident: Incident, now: Date, duplicateRatio: number): Promise<boolean> {
    const duplicates = incident.error_signature;
    if (!duplicates || duplicates.share <= duplicateRatio) return false;
    return (await this.silences.match(incident.tenant_id, duplicates.signature, now)) !== null;
  }

  /** Read only for a flooding tenant's incidents: whether RATE_LIMIT_SOURCE has already throttled it. */
  async tenantThrottled(incident: Incident, now: Date): Promise<boolean> {
    if (!incident.flooding_tenant) return false;
    return (await this.throttles.get(incident.tenant_id, now)) !== null;
  }

  /** REPLAY_RECENT's limits for a tenant: a throttle scales its batch down (never below the canary). */
  async throttledReplayLimits(limits: EffectiveLimits, tenantId: string, now: Date): Promise<EffectiveLimits> {
    const factor = await this.throttles.factorFor(tenantId, now);
    if (factor >= 1) return limits;
    return { ...limits, max_deliveries: Math.max(1, Math.floor((limits.max_deliveries ?? 0) * factor)) };
  }

  controls(safety: GlobalSafety): Promise<EffectiveControls> {
    return this.controlsStore.effective(safety);
  }

  maintenance(now: Date): Promise<Map<string, MaintenanceWindow>> {
    return this.maintenanceStore.active(now);
  }

  deferrals(): Promise<Map<string, Deferral>> {
    return this.deferralStore.active();
  }

  incidents(now: Date): Promise<Incident[]> {
    return this.detector.detect(now);
  }

  /**
   * Recent failures and success rates for every incident in two batched reads, so a cycle's cost
   * follows its incidents' windows, not one round trip per incident. If a batch fails, each
   * incident reads its own (failuresFor, successRateFor), and only the one that fails is lost.
   */
  async readForIncidents(incidents: Incident[], rules: AutohealRules, now: Date): Promise<IncidentReads> {
    const windowMinutes = Math.max(rules.strategy_limits.REPLAY_RECENT.time_window_minutes ?? 0, rules.detection.recent_window_minutes);
    const since = new Date(now.getTime() - windowMinutes * 60_000);
    const refs = incidents.map((i) => ({ tenantId: i.tenant_id, endpoint: i.endpoint }));
    const orEmpty = <T>(read: Promise<Map<string, T>>, what: string) =>
      read.catch((error: unknown) => {
        this.logger.warn(`Batched ${what} read failed, reading per incident: ${error instanceof Error ? error.message : error}`);
        return new Map<string, T>();
      });
    const [failures, successRates] = await Promise.all([
      orEmpty(this.deliveries.recentFailuresByEndpoint(refs, since, REPLAY_CANDIDATE_SCAN_LIMIT), 'recent failures'),
      orEmpty(this.insights.endpointSuccessRates(refs, now), 'success rate'),
    ]);
    return { since, failures, successRates };
  }

  async failuresFor(incident: Incident, reads: IncidentReads): Promise<FailureSummary[]> {
    return (
      reads.failures.get(endpointKey(incident.tenant_id, incident.endpoint)) ??
      this.deliveries.recentFailures({
        tenantId: incident.tenant_id,
        endpoint: incident.endpoint,
        since: reads.since,
        limit: REPLAY_CANDIDATE_SCAN_LIMIT,
      })
    );
  }

  async successRateFor(incident: Incident, reads: IncidentReads, now: Date): Promise<EndpointSuccessRate> {
    return (
      reads.successRates.get(endpointKey(incident.tenant_id, incident.endpoint)) ??
      this.insights.endpointSuccessRate(incident.tenant_id, incident.endpoint, now)
    );
  }
}
