import type { DataSource } from 'typeorm';

/** What the SQL text is, for the per-query breakdown. First match wins. */
const QUERY_CLASSES: Array<[string, RegExp]> = [
  ['detection (M3 main)', /WITH per_label AS/],
  ['most_common_error (M3)', /CROSS JOIN LATERAL/],
  ['replay_success_rate (M4)', /FROM delivery_attempts a\s+JOIN deliveries d/],
  ['history_success_rate (M4)', /FILTER \(WHERE d\.status = 'delivered'\)/],
  ['recent_failures', /FROM deliveries\s+WHERE tenant_id = \$1\s+AND target = \$2/],
  ['controls', /autoheal_controls/],
  ['maintenance', /endpoint_maintenance/],
  ['deferrals', /incident_deferrals/],
  ['escalations', /escalations/],
  ['history_save', /INSERT INTO autoheal_history/],
];

function classify(sql: string): string {
  for (const [name, pattern] of QUERY_CLASSES) if (pattern.test(sql)) return name;
  return sql.replace(/\s+/g, ' ').trim().slice(0, 50);
}

interface Tally {
  calls: number;
  ms: number;
}

/**
 * Times, in the bench only, every DataSource.query and a few engine collaborators, by patching
 * the instances the engine already holds. Off unless `enabled`, so the timed rounds pay ~nothing.
 */
export class CycleProfiler {
  enabled = false;
  readonly queries = new Map<string, Tally>();
  readonly phases = new Map<string, Tally>();
  /** One real statement of each class, with its parameters, to EXPLAIN afterwards. */
  readonly samples = new Map<string, { sql: string; params: unknown[] }>();

  instrumentDataSource(dataSource: DataSource): void {
    const original = dataSource.query.bind(dataSource);
    (dataSource as { query: unknown }).query = async (sql: string, ...rest: unknown[]) => {
      if (!this.enabled) return original(sql, ...(rest as []));
      const name = classify(sql);
      if (!this.samples.has(name)) this.samples.set(name, { sql, params: (rest[0] as unknown[] | undefined) ?? [] });
      const started = performance.now();
      try {
        return await original(sql, ...(rest as []));
      } finally {
        this.add(this.queries, name, performance.now() - started);
      }
    };
  }

  /** Wraps `target[method]` (an async method) so its calls and time are counted under `label`. */
  instrument(target: object, method: string, label: string): void {
    const holder = target as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const original = holder[method];
    if (typeof original !== 'function') throw new Error(`Cannot instrument ${label}: ${method} is not a method`);
    // The wrapper needs the call's own `this` (the target) and the profiler's.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const profiler = this;
    holder[method] = async function (this: unknown, ...args: unknown[]) {
      if (!profiler.enabled) return original.apply(this, args);
      const started = performance.now();
      try {
        return await original.apply(this, args);
      } finally {
        profiler.add(profiler.phases, label, performance.now() - started);
      }
    };
  }

  reset(): void {
    this.queries.clear();
    this.phases.clear();
  }

  private add(into: Map<string, Tally>, key: string, ms: number): void {
    const tally = into.get(key) ?? { calls: 0, ms: 0 };
    tally.calls += 1;
    tally.ms += ms;
    into.set(key, tally);
  }
}
