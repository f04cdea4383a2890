import { Injectable, Logger } from '@nestjs/common';
import type { Incident } from '../anomalies/incident';
import { endpointKey } from '../common/endpoint-key';
import { Coordination } from '../coordination/coordination.port';
import { StormPager } from '../escalation/storm-pager.service';
import { DeliveryStore, FailureSummary } from '../deliveries/delivery-store.port';
import type { ApprovalPlan, IncidentRecord } from '../incidents/incident';
import { IncidentStore } from '../incidents/incident-store.port';
import { SYSTEM_ACTOR } from '../incidents/incident-lifecycle';
import { outageStartsOf } from '../incidents/outage-start';
import { AutohealMetrics } from '../metrics/autoheal-metrics.service';
import { IncidentRecovery } from '../recovery/incident-recovery.service';
import type { AutohealRules } from '../rules/rules.types';
import type { ActionSkipped } from './cycle-result';

export const STORM_KEY = 'storm:active';
/** The share rule needs this many endpoints in incident: one incident among three endpoints is not a storm. */
export const STORM_MIN_ENDPOINTS = 5;

/** Why this many endpoints in incident at once is a storm, or null. */
export function stormReason(rules: AutohealRules, inIncident: number, activeEndpoints: number): string | null {
  const { max_incidents: max, max_endpoint_share: share } = rules.storm;
  if (inIncident > max) return `${inIncident} endpoints in incident at once (storm.max_incidents ${max})`;
  const actual = activeEndpoints > 0 ? inIncident / activeEndpoints : 0;
  if (inIncident >= STORM_MIN_ENDPOINTS && actual > share) {
    const pct = (ratio: number) => `${Math.round(ratio * 100)}%`;
    return `${inIncident} of ${activeEndpoints} active endpoints in incident (${pct(actual)} > storm.max_endpoint_share ${pct(share)})`;
  }
  return null;
}

/** How many of a followed incident's failures its decision reads (newest first): enough for the triage ratios. */
const FOLLOWED_FAILURE_SCAN_LIMIT = 100;

export interface TrackedIncidents {
  /** The persisted incident of each tenant+endpoint, by endpointKey: detected this cycle or followed. */
  records: Map<string, IncidentRecord>;
  /** Active incidents detection did not report this cycle: the burst left its window, or no traffic came. */
  followed: IncidentRecord[];
}

/**
 * The incidents table as the cycle sees it: every detected anomaly persists as (or widens) its
 * incident, and every active incident is followed until it is recovered, resolved or expired.
 */
@Injectable()
export class IncidentTracking {
  private readonly logger = new Logger(IncidentTracking.name);
  /** The last skip recorded on each incident's timeline, so a probe loop does not write the same one every tick. */
  private readonly lastSkip = new Map<string, string>();
  /** Endpoints with traffic in the baseline window, as the last full cycle counted them (0: not yet). */
  private activeEndpoints = 0;

  constructor(
    private readonly store: IncidentStore,
    private readonly deliveries: DeliveryStore,
    private readonly metrics: AutohealMetrics,
    private readonly coordination: Coordination,
    private readonly storms: StormPager,
    private readonly recovery: IncidentRecovery,
  ) {}

  /** A dry run only reads: an anomaly without an incident stays without one. So does one without a failure. */
  async track(anomalies: Incident[], now: Date, rules: AutohealRules, dryRun: boolean, cycleId: string): Promise<TrackedIncidents> {
    const records = new Map((await this.store.active()).map((r) => [endpointKey(r.tenant_id, r.endpoint), r]));
    const keyOf = (a: Incident) => endpointKey(a.tenant_id, a.endpoint);
    const detected = new Set(anomalies.map(keyOf));
    // Nothing failed, nothing to recover: a traffic spike alone, or the burst an incident just recovered (its
    // deliveries, delivered now, stay in the detection window a while) opens no incident; its strategy still applies.
    const persisted = dryRun ? [] : anomalies.filter((a) => a.failures > 0 || records.has(keyOf(a)));
    // Only a new incident needs its start looked up: an existing one keeps the earliest it was given.
    const fresh = persisted.filter((a) => !records.has(keyOf(a))).map((a) => ({ tenantId: a.tenant_id, endpoint: a.endpoint }));
    const starts = await outageStartsOf(this.deliveries, fresh, now, rules);
    const windowStart = new Date(now.getTime() - rules.detection.recent_window_minutes * 60_000);
    for (const anomaly of persisted) {
      const key = keyOf(anomaly);
      const { incident } = await this.store.openOrUpdate(
        {
          tenantId: anomaly.tenant_id,
          endpoint: anomaly.endpoint,
          kind: anomaly.kind,
          severity: anomaly.severity,
          firstFailureAt: starts.get(key) ?? windowStart,
          lastFailureAt: now,
          backlogSize: anomaly.failures,
          cycleId,
        },
        now,
      );
      records.set(key, incident);
    }
    return { records, followed: [...records.entries()].filter(([key]) => !detected.has(key)).map(([, record]) => record) };
  }

  /**
   * Whether the cycle is in a storm, paging once when one starts. A full cycle counts the endpoints
   * with traffic in the baseline window; a probe tick uses the last count this process took (the share
   * rule waits for one), so a probe tick never pages endpoint by endpoint ahead of the next cycle.
   */
  async storm(endpoints: ReadonlySet<string>, countTraffic: boolean, now: Date, rules: AutohealRules, dryRun: boolean): Promise<boolean> {
    if (countTraffic) {
      const since = new Date(now.getTime() - rules.detection.baseline_window_minutes * 60_000);
      this.activeEndpoints = await this.deliveries.activeEndpoints(since);
    }
    const reason = stormReason(rules, endpoints.size, this.activeEndpoints);
    if (dryRun) return reason !== null;
    const ttlMs = rules.detection.baseline_window_minutes * 60_000;
    this.metrics.setStormActive(reason !== null);
    if (!reason) {
      if (countTraffic) await this.coordination.delete(STORM_KEY);
      return false;
    }
    if (await this.coordination.setIfAbsent(STORM_KEY, now.toISOString(), ttlMs)) {
      const page = await this.storms.page({ endpoints: [...endpoints], activeEndpoints: this.activeEndpoints, reason, now });
      this.logger.warn(`Storm: ${reason}; escalation ${page.escalation_id}${page.notified ? ' paged' : ', page failed'}`);
    } else {
      // Still the same storm: keep its key alive, so it does not page again.
      await this.coordination.set(STORM_KEY, (await this.coordination.get(STORM_KEY)) ?? now.toISOString(), ttlMs);
    }
    return true;
  }

  /** A followed incident's failures since it began (newest first, at most FOLLOWED_FAILURE_SCAN_LIMIT). */
  failuresOf(record: IncidentRecord): Promise<FailureSummary[]> {
    return this.deliveries.recentFailures({
      tenantId: record.tenant_id,
      endpoint: record.endpoint,
      since: record.first_failure_at,
      limit: FOLLOWED_FAILURE_SCAN_LIMIT,
    });
  }

  /** An open or probing incident with no failure left is recovered; true when it was. */
  async recoverIfEmpty(record: IncidentRecord, now: Date, cycleId: string): Promise<boolean> {
    if (record.state !== 'open' && record.state !== 'probing') return false;
    const event = { type: 'recovered' as const, at: now, actor: SYSTEM_ACTOR, cycleId, detail: { reason: 'no failed delivery left' } };
    return (await this.recovery.markRecovered(record, [record.state], { recovered_at: now, backlog_size: 0 }, event)) !== null;
  }

  /** What an operator approved for the incident (its latest approval), or null. */
  async approvedPlan(record: IncidentRecord | null): Promise<ApprovalPlan | null> {
    if (!record?.approval_id) return null;
    const approval = await this.store.getApproval(record.approval_id);
    return approval?.status === 'approved' ? approval.plan : null;
  }

  /** A skip of a persisted incident goes on its timeline, once per reason in a row. */
  async noteSkip(record: IncidentRecord | null, skipped: ActionSkipped, now: Date, cycleId: string): Promise<void> {
    // A probe not due yet is the normal state of a probing incident, not news for its timeline.
    if (!record || skipped.check === 'probe_schedule') return;
    const said = `${skipped.check}:${skipped.reason}`;
    if (this.lastSkip.get(record.id) === said) return;
    this.lastSkip.set(record.id, said);
    const detail = { strategy: skipped.strategy, check: skipped.check, reason: skipped.reason };
    await this.store
      .recordEvent(record.id, { type: 'skipped', at: now, actor: SYSTEM_ACTOR, cycleId, detail })
      .catch((error: unknown) =>
        this.logger.warn(`Skip of incident ${record.id} not recorded: ${error instanceof Error ? error.message : error}`),
      );
  }

  /**
   * After a live cycle: overdue approvals expire (their incidents are escalated), incidents with no
   * failure and no activity for a baseline window expire, and the gauges are set.
   */
  async afterLiveCycle(now: Date, rules: AutohealRules): Promise<void> {
    await this.store.expireApprovals(now);
    await this.store.expireStale(new Date(now.getTime() - rules.detection.baseline_window_minutes * 60_000), now);
    const active = await this.store.active();
    const live = new Set(active.map((r) => r.id));
    for (const id of this.lastSkip.keys()) if (!live.has(id)) this.lastSkip.delete(id);
    const counts: Record<string, number> = {};
    for (const record of active) counts[record.state] = (counts[record.state] ?? 0) + 1;
    this.metrics.setIncidentsOpen(counts);
    this.metrics.setBacklog(active.reduce((sum, r) => sum + r.backlog_size, 0));
  }
}

/** What the predictor is told about an incident detection no longer reports: its record and its failures since it began. */
export function followedAnomaly(record: IncidentRecord, failures: FailureSummary[], now: Date): Incident {
  const distribution: Record<string, number> = {};
  for (const failure of failures) {
    const label = failure.triage_label ?? 'unknown';
    distribution[label] = (distribution[label] ?? 0) + 1;
  }
  return {
    tenant_id: record.tenant_id,
    endpoint: record.endpoint,
    kind: record.kind,
    severity: record.severity,
    failures: Math.max(failures.length, record.backlog_size),
    total_recent: 0,
    total_baseline: 0,
    failures_baseline: 0,
    failure_rate: 0,
    baseline_failure_rate: 0,
    traffic_ratio: 0,
    triage_distribution: distribution,
    most_common_error: null,
    detected_at: now.toISOString(),
  };
}
