import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CycleResult } from '../engine/cycle-result';
import { ACTIVE_STATES } from '../incidents/incident';

// prom-client exports these totals as gauges, which `promtool check metrics` rejects; the per-type
// `nodejs_active_handles` / `_requests` / `_resources` gauges it also exports carry the same numbers.
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export const DEPENDENCIES = ['postgres', 'redis'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];
export const PROBE_OUTCOMES = ['success', 'failure'] as const;
export type ProbeOutcome = (typeof PROBE_OUTCOMES)[number];
export const DRAIN_OUTCOMES = ['delivered', 'failed'] as const;
export type DrainOutcome = (typeof DRAIN_OUTCOMES)[number];

/**
 * The service's Prometheus registry: the counters the guide's alerts are written against
 * (autoheal_*_total), the recovery gauges `deploy/prometheus/autoheal.rules.yml` alerts on, and
 * prom-client's process and Node.js defaults. Setters ignore values that are not finite counts,
 * so a caller's bad arithmetic cannot break a scrape.
 */
@Injectable()
export class AutohealMetrics {
  readonly registry = new Registry();
  private readonly cycles = new Counter({
    name: 'autoheal_cycles_total',
    help: 'Healing cycles run',
    labelNames: ['trigger', 'dry_run'],
    registers: [this.registry],
  });
  private readonly incidents = new Counter({
    name: 'autoheal_incidents_detected_total',
    help: 'Incidents detected by cycles',
    labelNames: ['dry_run'],
    registers: [this.registry],
  });
  private readonly taken = new Counter({
    name: 'autoheal_actions_taken_total',
    help: 'Actions taken',
    labelNames: ['strategy', 'dry_run'],
    registers: [this.registry],
  });
  private readonly skipped = new Counter({
    name: 'autoheal_actions_skipped_total',
    help: 'Actions skipped by a safety check',
    labelNames: ['check', 'dry_run'],
    registers: [this.registry],
  });
  private readonly replays = new Counter({
    name: 'autoheal_replays_total',
    help: 'Deliveries replayed by live cycles',
    registers: [this.registry],
  });
  private readonly suppressed = new Counter({
    name: 'autoheal_notifications_suppressed_total',
    help: 'Notifications not sent because a silence (SILENCE_DUPES) matched them',
    registers: [this.registry],
  });
  private readonly escalations = new Counter({
    name: 'autoheal_escalations_total',
    help: 'Escalations created by live cycles',
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'autoheal_cycle_duration_seconds',
    help: 'Duration of a healing cycle',
    labelNames: ['dry_run'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [this.registry],
  });

  private readonly incidentsOpen = new Gauge({
    name: 'autoheal_incidents_open',
    help: 'Active incidents by state',
    labelNames: ['state'],
    registers: [this.registry],
  });
  private readonly backlog = new Gauge({
    name: 'autoheal_backlog_deliveries',
    help: 'Failed deliveries of active incidents still waiting to be drained',
    registers: [this.registry],
  });
  private readonly probes = new Counter({
    name: 'autoheal_probes_total',
    help: 'Probes of failing endpoints, by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly drained = new Counter({
    name: 'autoheal_drained_total',
    help: 'Backlog deliveries re-sent by a drain, by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly timeToHeal = new Histogram({
    name: 'autoheal_time_to_heal_seconds',
    help: 'From an incident opening to its recovery',
    buckets: [30, 60, 120, 300, 600, 900, 1800, 3600, 7200],
    registers: [this.registry],
  });
  // A storm: so many endpoints failing at once that the platform itself, not the receivers, is suspect.
  private readonly storm = new Gauge({
    name: 'autoheal_storm_active',
    help: '1 while a failure storm holds healing back',
    registers: [this.registry],
  });
  private readonly dependencyProbes = new Map<Dependency, () => Promise<boolean>>();
  private readonly dependencyUp = new Gauge({
    name: 'autoheal_dependency_up',
    help: '1 when the dependency answered its health check at scrape time',
    labelNames: ['dependency'],
    registers: [this.registry],
    collect: () => this.probeDependencies(),
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const name of MISNAMED_DEFAULTS) this.registry.removeSingleMetric(name);
    for (const state of ACTIVE_STATES) this.incidentsOpen.set({ state }, 0);
    this.backlog.set(0);
    for (const outcome of PROBE_OUTCOMES) this.probes.inc({ outcome }, 0);
    for (const outcome of DRAIN_OUTCOMES) this.drained.inc({ outcome }, 0);
    this.storm.set(0);
  }

  observe(result: CycleResult, trigger: string): void {
    const dryRun = String(result.dry_run);
    this.cycles.inc({ trigger, dry_run: dryRun });
    this.incidents.inc({ dry_run: dryRun }, result.incidents_detected);
    for (const action of result.actions_taken) this.taken.inc({ strategy: action.strategy, dry_run: dryRun });
    for (const action of result.actions_skipped) this.skipped.inc({ check: action.check, dry_run: dryRun });
    this.duration.observe({ dry_run: dryRun }, result.execution_time_ms / 1000);
    if (!result.dry_run) {
      this.replays.inc(result.total_replays);
      this.escalations.inc(result.total_escalations);
    }
  }

  /** The active incidents per state; a state left out is 0. */
  setIncidentsOpen(counts: Partial<Record<string, number>>): void {
    for (const state of ACTIVE_STATES) this.incidentsOpen.set({ state }, countOrZero(counts[state]));
  }

  setBacklog(deliveries: number): void {
    this.backlog.set(countOrZero(deliveries));
  }

  countSuppressed(): void {
    this.suppressed.inc();
  }

  countProbe(outcome: ProbeOutcome): void {
    this.probes.inc({ outcome });
  }

  countDrained(outcome: DrainOutcome, deliveries = 1): void {
    if (countOrZero(deliveries) > 0) this.drained.inc({ outcome }, deliveries);
  }

  observeTimeToHeal(seconds: number): void {
    if (countOrZero(seconds) > 0) this.timeToHeal.observe(seconds);
  }

  setStormActive(active: boolean): void {
    this.storm.set(active ? 1 : 0);
  }

  setDependencyUp(dependency: Dependency, up: boolean): void {
    this.dependencyUp.set({ dependency }, up ? 1 : 0);
  }

  /** A check run on every scrape, so the gauge is current even when nobody calls /health. */
  registerDependencyProbe(dependency: Dependency, probe: () => Promise<boolean>): void {
    this.dependencyProbes.set(dependency, probe);
  }

  private async probeDependencies(): Promise<void> {
    await Promise.all(
      [...this.dependencyProbes].map(async ([dependency, probe]) => this.setDependencyUp(dependency, await probe().catch(() => false))),
    );
  }
}

function countOrZero(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
