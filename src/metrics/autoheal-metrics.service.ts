import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CycleResult } from '../engine/cycle-result';

/** The counters the guide's alerts are written against (autoheal_*_total). */
@Injectable()
export class AutohealMetrics {
  readonly registry = new Registry();
  private readonly cycles = new Counter({ name: 'autoheal_cycles_total', help: 'Healing cycles run', labelNames: ['trigger', 'dry_run'], registers: [this.registry] });
  private readonly incidents = new Counter({ name: 'autoheal_incidents_detected_total', help: 'Incidents detected by cycles', labelNames: ['dry_run'], registers: [this.registry] });
  private readonly taken = new Counter({ name: 'autoheal_actions_taken_total', help: 'Actions taken', labelNames: ['strategy', 'dry_run'], registers: [this.registry] });
  private readonly skipped = new Counter({ name: 'autoheal_actions_skipped_total', help: 'Actions skipped by a safety check', labelNames: ['check', 'dry_run'], registers: [this.registry] });
  private readonly replays = new Counter({ name: 'autoheal_replays_total', help: 'Deliveries replayed by live cycles', registers: [this.registry] });
  private readonly escalations = new Counter({ name: 'autoheal_escalations_total', help: 'Escalations created by live cycles', registers: [this.registry] });
  private readonly duration = new Histogram({
    name: 'autoheal_cycle_duration_seconds',
    help: 'Duration of a healing cycle',
    labelNames: ['dry_run'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [this.registry],
  });

  private readonly incidentsOpen = new Gauge({
    name: 'autoheal_incidents_open',
    help: 'Active incidents by state, as of the last live cycle',
    labelNames: ['state'],
    registers: [this.registry],
  });
  private readonly backlog = new Gauge({
    name: 'autoheal_backlog_deliveries',
    help: 'Failed deliveries waiting in the backlogs of active incidents',
    registers: [this.registry],
  });
  private readonly probes = new Counter({ name: 'autoheal_probes_total', help: 'Canary probes sent, by outcome', labelNames: ['outcome'], registers: [this.registry] });
  private readonly drained = new Counter({
    name: 'autoheal_drained_total',
    help: 'Backlog deliveries sent by drains, by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly timeToHeal = new Histogram({
    name: 'autoheal_time_to_heal_seconds',
    help: 'First successful probe to last backlog delivery, per recovered incident',
    buckets: [1, 5, 15, 60, 120, 300, 900, 1800, 3600, 14_400],
    registers: [this.registry],
  });

  /** The active incidents counted by state (every state listed, so a state that emptied reads 0). */
  observeIncidents(states: readonly string[], incidents: readonly { state: string; backlog_size: number }[]): void {
    for (const state of states) this.incidentsOpen.set({ state }, incidents.filter((i) => i.state === state).length);
    this.backlog.set(incidents.reduce((sum, i) => sum + i.backlog_size, 0));
  }

  observeProbe(outcome: string): void {
    this.probes.inc({ outcome });
  }

  observeDrained(counts: { delivered: number; failed: number; skipped: number }): void {
    for (const outcome of ['delivered', 'failed', 'skipped'] as const) if (counts[outcome] > 0) this.drained.inc({ outcome }, counts[outcome]);
  }

  observeHealed(timeToHealSeconds: number): void {
    this.timeToHeal.observe(timeToHealSeconds);
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
}
