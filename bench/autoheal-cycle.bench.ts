import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../ormconfig';
import { buildDetectionQuery } from '../src/anomalies/anomaly-detection.query';
import { AnomalyDetector } from '../src/anomalies/anomaly-detector.port';
import { AppModule } from '../src/app.module';
import { ControlsStore } from '../src/controls/controls-store.port';
import { CycleHistoryStore } from '../src/cycle-history/cycle-history-store.port';
import { runMigrationsSerialized } from '../src/database/migrate';
import { DeferralStore } from '../src/deferrals/deferral-store.port';
import { DeliveryStore } from '../src/deliveries/delivery-store.port';
import { AutohealEngine } from '../src/engine/autoheal-engine.service';
import type { CycleResult } from '../src/engine/cycle-result';
import { StrategyExecutorRegistry } from '../src/engine/executors/strategy-executor';
import { Insights } from '../src/insights/insights.port';
import { MaintenanceStore } from '../src/maintenance/maintenance-store.port';
import { TargetGuard } from '../src/replay/target-guard';
import { DEFAULT_RULES } from '../src/rules/rules.defaults';
import { RulesSource } from '../src/rules/rules.source';
import { CycleProfiler } from './cycle-profiler';
import { benchIngest, printIngest, type IngestResult } from './ingest-throughput';
import { startProgress, withHeartbeat } from './progress';
import { createDatabase, databaseUrl, dropDatabase, scratchDatabaseName } from './scratch-database';
import { HOT_ENDPOINTS, seedLedger, type SeedResult } from './seed-ledger';
import { median, percentile, round } from './stats';

const SIZES = [1_000_000, 200_000];
const WARMUP = 3;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
/** Extra, instrumented cycles after the timed rounds: where a cycle spends its time. */
const PROFILE_CYCLES = 5;
/** `cycle,ingest` (both, the default), or one of them. */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'cycle,ingest').split(',').map((p) => p.trim()));
const INGEST_ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 7);
const INGEST_BATCHES = Number(process.env.BENCH_INGEST_BATCHES ?? 40);
const RESULTS_FILE = resolve(__dirname, '..', '..', 'bench', 'results', 'latest.json');

interface Subject {
  size: number;
  database: string;
  seed: SeedResult;
  app: INestApplicationContext;
  engine: AutohealEngine;
  dataSource: DataSource;
  profiler: CycleProfiler;
  cycleMs: number[];
  floorMs: number[];
  floorRows: number;
  result: CycleResult | null;
  /** incidents/actions of every timed cycle, to confirm each did the same work. */
  shapes: Set<string>;
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const fmtInt = (n: number) => n.toLocaleString('en-US');
const ms = (n: number) => `${round(n).toFixed(1)}`;

async function migrate(url: string): Promise<void> {
  const dataSource = new DataSource(dataSourceOptions(url, 2));
  await dataSource.initialize();
  try {
    await runMigrationsSerialized(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** The real AppModule, configured as the brief says; one context per database, all alive at once. */
async function boot(url: string): Promise<INestApplicationContext> {
  Object.assign(process.env, {
    DATABASE_URL: url,
    REDIS_URL: '', // empty → in-memory coordination
    NODE_ENV: 'test',
    AUTOHEAL_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'error',
    AUTOHEAL_CONFIG_FILE: '', // the built-in rules, whatever the shell says: the floor uses DEFAULT_RULES
    NOTIFY_WEBHOOK_URL: '',
  });
  return NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
}

function instrument(subject: Subject): void {
  const { app, profiler } = subject;
  profiler.instrumentDataSource(subject.dataSource);
  profiler.instrument(app.get(ControlsStore), 'effective', 'controls.effective');
  profiler.instrument(app.get(MaintenanceStore), 'active', 'maintenance.active');
  profiler.instrument(app.get(DeferralStore), 'active', 'deferrals.active');
  profiler.instrument(app.get(AnomalyDetector), 'detect', 'detector.detect');
  profiler.instrument(app.get(DeliveryStore), 'recentFailures', 'deliveries.recentFailures');
  profiler.instrument(app.get(Insights), 'endpointSuccessRate', 'insights.endpointSuccessRate');
  profiler.instrument(app.get(TargetGuard), 'check', 'targetGuard.check');
  profiler.instrument(app.get(CycleHistoryStore), 'save', 'history.save');
  const registry = app.get(StrategyExecutorRegistry);
  for (const strategy of ['REPLAY_RECENT', 'ESCALATE_OPERATOR', 'DEFER_AND_MONITOR'] as const) {
    const executor = registry.get(strategy);
    if (executor) profiler.instrument(executor, 'execute', `execute ${strategy}`);
  }
}

function shapeOf(result: CycleResult): string {
  return JSON.stringify([result.incidents_detected, result.actions_taken.length, result.actions_skipped.length]);
}

function countBy<T>(items: T[], key: (item: T) => string | null): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const k = key(item) ?? 'none';
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

async function timeCycle(subject: Subject, now: Date): Promise<number> {
  const started = performance.now();
  const result = await subject.engine.runCycle(now, true);
  const elapsed = performance.now() - started;
  subject.result = result;
  subject.shapes.add(shapeOf(result));
  return elapsed;
}

async function timeFloor(subject: Subject, now: Date): Promise<number> {
  const query = buildDetectionQuery(now, DEFAULT_RULES.detection);
  const started = performance.now();
  const rows: unknown[] = await subject.dataSource.query(query.text, query.values);
  const elapsed = performance.now() - started;
  subject.floorRows = rows.length;
  return elapsed;
}

interface PlanSummary {
  execution_ms: number;
  planning_ms: number;
  nodes: string;
  shared_hit: number;
  shared_read: number;
}

function summarizePlan(explain: Array<{ 'QUERY PLAN': unknown }>): PlanSummary {
  const [top] = explain[0]['QUERY PLAN'] as Array<Record<string, unknown>>;
  const nodes: string[] = [];
  const walk = (node: Record<string, unknown>) => {
    const index = node['Index Name'] ? ` ${node['Index Name']}` : node['Relation Name'] ? ` ${node['Relation Name']}` : '';
    const type = String(node['Node Type']);
    if (/Scan/.test(type)) nodes.push(`${type}${index}`);
    if (type === 'Aggregate') nodes.push(`${node.Strategy} Aggregate${node['Disk Usage'] ? ` (disk ${node['Disk Usage']} kB)` : ''}`);
    if (type === 'Sort') nodes.push(`Sort (${node['Sort Method']}, ${node['Sort Space Used']} kB ${node['Sort Space Type']})`);
    for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? []) walk(child);
  };
  const plan = top.Plan as Record<string, unknown>;
  walk(plan);
  return {
    execution_ms: round(Number(top['Execution Time']), 2),
    planning_ms: round(Number(top['Planning Time']), 2),
    nodes: nodes.join(', '),
    shared_hit: Number(plan['Shared Hit Blocks'] ?? 0),
    shared_read: Number(plan['Shared Read Blocks'] ?? 0),
  };
}

async function profile(subject: Subject, now: Date) {
  const { profiler } = subject;
  profiler.reset();
  profiler.enabled = true;
  const cycleMs: number[] = [];
  try {
    for (let i = 0; i < PROFILE_CYCLES; i++) cycleMs.push(await timeCycle(subject, now));
  } finally {
    profiler.enabled = false;
  }
  const perCycle = (tallies: Map<string, { calls: number; ms: number }>) =>
    [...tallies.entries()]
      .map(([name, t]) => ({ name, calls: round(t.calls / PROFILE_CYCLES, 1), ms: round(t.ms / PROFILE_CYCLES, 2) }))
      .sort((a, b) => b.ms - a.ms);
  const queries = perCycle(profiler.queries);
  const phases = perCycle(profiler.phases);
  const explains: Record<string, PlanSummary | string> = {};
  for (const [name, sample] of profiler.samples) {
    if (/^(INSERT|UPDATE|DELETE)/i.test(sample.sql.trim())) continue;
    try {
      explains[name] = summarizePlan(
        await subject.dataSource.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sample.sql}`, sample.params),
      );
    } catch (error) {
      explains[name] = `EXPLAIN failed: ${error instanceof Error ? error.message : error}`;
    }
  }
  return {
    cycles: PROFILE_CYCLES,
    instrumented_cycle_median_ms: round(median(cycleMs), 2),
    queries_per_cycle: round(
      queries.reduce((sum, q) => sum + q.calls, 0),
      1,
    ),
    query_ms_per_cycle: round(
      queries.reduce((sum, q) => sum + q.ms, 0),
      2,
    ),
    queries,
    phases,
    explains,
  };
}

async function main(): Promise<void> {
  const runStarted = performance.now();
  // One `now` for everything: the seeded created_at, every cycle and every floor query.
  const now = new Date();
  const databases: string[] = [];
  const subjects: Subject[] = [];
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const subject of subjects) await subject.app.close().catch(() => undefined);
      for (const name of databases) {
        await dropDatabase(name).then(
          () => log(`dropped ${name}`),
          (error: unknown) => log(`could not drop ${name}: ${error instanceof Error ? error.message : error} — drop it by hand`),
        );
      }
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    log(`autoheal benchmark (${[...PARTS].join(', ')}) — now=${now.toISOString()}, ${cpus().length} CPU(s), node ${process.version}`);
    const machine = { cpus: cpus().length, node: process.version };
    const report: Record<string, unknown> = { generated_at: '', now: now.toISOString(), machine };
    if (PARTS.has('cycle')) Object.assign(report, await benchCycle(now, databases, subjects));
    if (PARTS.has('ingest')) {
      log(`ingest: ${INGEST_ROUNDS} rounds of ${INGEST_BATCHES} batches through the built service (dist/) and over pg`);
      const ingest: IngestResult = await benchIngest(INGEST_ROUNDS, INGEST_BATCHES, log, databases);
      printIngest(ingest, log);
      report.ingest = ingest;
    }
    report.generated_at = new Date().toISOString();
    report.total_run_s = round((performance.now() - runStarted) / 1000, 1);
    mkdirSync(join(RESULTS_FILE, '..'), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    log(`written to ${RESULTS_FILE} (total ${ms(Number(report.total_run_s))} s)`);
  } finally {
    await cleanup();
  }
}

async function benchCycle(now: Date, databases: string[], subjects: Subject[]): Promise<Record<string, unknown>> {
  log(`cycle: ${ROUNDS} interleaved rounds after ${WARMUP} warm-ups`);
  const seeds = new Map<number, { database: string; seed: SeedResult }>();
  for (const size of SIZES) {
    const database = scratchDatabaseName(size);
    await createDatabase(database);
    databases.push(database);
    const url = databaseUrl(database);
    await migrate(url);
    log(`seeding ${database} with ${fmtInt(size)} deliveries…`);
    const d = DEFAULT_RULES.detection;
    const seed = await withHeartbeat('seeding', seedLedger(url, size, now, Math.max(d.baseline_window_minutes, d.recent_window_minutes)));
    seeds.set(size, { database, seed });
    log(
      `seeded ${database}: ${fmtInt(seed.deliveries)} deliveries (${seed.hotRows} hot failures on ${HOT_ENDPOINTS} endpoints; ` +
        `${fmtInt(seed.windowRows)} in the detection window) in ${ms(seed.seedMs / 1000)} s, VACUUM ANALYZE ${ms(seed.vacuumMs / 1000)} s`,
    );
  }

  for (const size of SIZES) {
    const { database, seed } = seeds.get(size)!;
    const app = await boot(databaseUrl(database));
    const subject: Subject = {
      size,
      database,
      seed,
      app,
      engine: app.get(AutohealEngine),
      dataSource: app.get(DataSource),
      profiler: new CycleProfiler(),
      cycleMs: [],
      floorMs: [],
      floorRows: 0,
      result: null,
      shapes: new Set(),
    };
    subjects.push(subject);
    const rules = app.get(RulesSource).current();
    if (!isDeepStrictEqual(rules.detection, DEFAULT_RULES.detection)) {
      throw new Error('The engine does not run the default detection rules; the floor would not be the same query');
    }
    instrument(subject);
  }

  const progress = startProgress('cycle', (WARMUP + ROUNDS) * subjects.length);
  for (const subject of subjects) {
    for (let i = 0; i < WARMUP; i++) {
      await timeCycle(subject, now);
      await timeFloor(subject, now);
      progress.tick(1, 'warm-up');
    }
  }
  // Side by side: cycle, floor, for each size, every round; the order of sizes alternates so
  // a slow patch of this shared machine lands on both.
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? subjects : [...subjects].reverse();
    for (const subject of order) {
      subject.cycleMs.push(await timeCycle(subject, now));
      subject.floorMs.push(await timeFloor(subject, now));
      progress.tick(1, `round ${round + 1}/${ROUNDS}`);
    }
  }
  progress.stop();
  log('profiling…');

  const rows = [];
  for (const subject of subjects) {
    const result = subject.result!;
    const cycleMedian = median(subject.cycleMs);
    const floorMedian = median(subject.floorMs);
    rows.push({
      size: subject.size,
      deliveries: subject.seed.deliveries,
      window_rows: subject.seed.windowRows,
      incidents: result.incidents_detected,
      floor_rows: subject.floorRows,
      actions_taken: result.actions_taken.length,
      actions_by_strategy: countBy(result.actions_taken, (a) => a.strategy),
      actions_skipped: result.actions_skipped.length,
      skipped_by_check: countBy(result.actions_skipped, (a) => a.check),
      same_work_every_cycle: subject.shapes.size === 1,
      cycle: {
        median_ms: round(cycleMedian, 2),
        p90_ms: round(percentile(subject.cycleMs, 90), 2),
        samples_ms: subject.cycleMs.map((v) => round(v, 2)),
      },
      floor: {
        median_ms: round(floorMedian, 2),
        p90_ms: round(percentile(subject.floorMs, 90), 2),
        samples_ms: subject.floorMs.map((v) => round(v, 2)),
      },
      ratio: round(cycleMedian / floorMedian, 2),
      seed_s: round(subject.seed.seedMs / 1000, 1),
      vacuum_s: round(subject.seed.vacuumMs / 1000, 1),
      profile: await profile(subject, now),
    });
  }

  for (const row of rows) {
    if (!row.same_work_every_cycle)
      log(`WARNING: the ${fmtInt(row.size)}-row cycles did not all detect and decide the same; see latest.json`);
  }
  const [big, small] = rows;
  const window = {
    window_rows_1m_over_200k: round(big.window_rows / small.window_rows, 2),
    cycle_1m_over_200k: round(big.cycle.median_ms / small.cycle.median_ms, 2),
    floor_1m_over_200k: round(big.floor.median_ms / small.floor.median_ms, 2),
  };

  for (const row of rows) {
    log('');
    log(
      `where a ${fmtInt(row.size)}-row cycle spends its time (${row.profile.cycles} instrumented cycles, median ` +
        `${ms(row.profile.instrumented_cycle_median_ms)} ms; ${row.profile.queries_per_cycle} queries = ` +
        `${ms(row.profile.query_ms_per_cycle)} ms per cycle):`,
    );
    log(`  ${'phase (engine collaborator)'.padEnd(34)} ${'calls'.padStart(6)} ${'ms/cycle'.padStart(9)}`);
    for (const p of row.profile.phases) log(`  ${p.name.padEnd(34)} ${String(p.calls).padStart(6)} ${ms(p.ms).padStart(9)}`);
    log(`  ${'query class'.padEnd(34)} ${'calls'.padStart(6)} ${'ms/cycle'.padStart(9)}  server plan (one EXPLAIN ANALYZE)`);
    for (const q of row.profile.queries) {
      const plan = row.profile.explains[q.name];
      const planText = !plan
        ? ''
        : typeof plan === 'string'
          ? plan
          : `${plan.execution_ms} ms exec + ${plan.planning_ms} ms plan; ${plan.nodes}`;
      log(`  ${q.name.padEnd(34)} ${String(q.calls).padStart(6)} ${ms(q.ms).padStart(9)}  ${planText}`);
    }
    log(`  actions: ${JSON.stringify(row.actions_by_strategy)} taken, ${JSON.stringify(row.skipped_by_check)} skipped`);
  }

  log('');
  log(`dry-run cycle vs. detection query alone, ${ROUNDS} interleaved rounds (medians; p90 in brackets), now=${now.toISOString()}`);
  const header = ['deliveries', 'in window', 'incidents', 'actions', 'cycle ms', 'floor ms', 'ratio'];
  const table = rows.map((r) => [
    fmtInt(r.deliveries),
    fmtInt(r.window_rows),
    String(r.incidents),
    `${r.actions_taken}+${r.actions_skipped}sk`,
    `${ms(r.cycle.median_ms)} [${ms(r.cycle.p90_ms)}]`,
    `${ms(r.floor.median_ms)} [${ms(r.floor.p90_ms)}]`,
    r.ratio.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}`;
  log(line(header));
  for (const r of table) log(line(r));
  log(
    `  cost follows the window: cycle median 1M / 200k = ${window.cycle_1m_over_200k.toFixed(2)} (floor: ` +
      `${window.floor_1m_over_200k.toFixed(2)}; rows in the 60-min window: ${window.window_rows_1m_over_200k.toFixed(2)})`,
  );
  return { warmup: WARMUP, rounds: ROUNDS, sizes: rows, cost_follows_the_window: window };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : error}\n`);
    process.exit(1);
  },
);
