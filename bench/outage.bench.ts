import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { mintToken } from '../src/auth/token';
import { AppConfig } from '../src/config/app-config';
import { COORDINATION_NAMESPACE } from '../src/coordination/redis-coordination.adapter';
import { DEFAULT_RULES } from '../src/rules/rules.defaults';
import { BullmqBaselineDispatcher } from './outage/bullmq-dispatcher';
import { simulateDispatcher, spreadWebhooks, type DispatchAttempt, type DispatcherRun } from './outage/dispatcher-simulator';
import { FlakyReceiver, type Receipt } from './outage/flaky-receiver';
import { fmt, GOALS, measureOutage, missedGoals, resultTable, type OutageMetrics, type OutageRow } from './outage/outage-report';
import { describeScaledRules, scaleRules } from './outage/scaled-rules';
import { startServiceProcess, type ServiceProcess } from './outage/service-process';
import { formatLength, parseLengths, parseMinutes, parseScale, type TimeScale } from './outage/time-scale';
import { startProgress } from './progress';
import { createDatabase, databaseUrl, dropDatabase } from './scratch-database';

const ROOT = resolve(__dirname, '..', '..');
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const TENANT = 'tenant-outage-bench';
const CYCLE_SECONDS = 300;
const BULLMQ_BASE_DELAY_SECONDS = 60;
const BULLMQ_ATTEMPTS = 10;
/** The dispatcher reports outcomes in batches this often (real ms), as a busy dispatcher does. */
const REPORT_EVERY_MS = 25;
const USAGE = `npm run bench:outage -- [--lengths 3m,30m,2h,10h] [--scale 1s] [--deliveries 200] [--grace 10m] [--approvals operator|off]`;

interface Options {
  lengths: number[];
  scale: TimeScale;
  deliveries: number;
  graceMinutes: number;
  approvals: 'operator' | 'off';
}

interface OutageResult {
  minutes: number;
  /** From the outage's start to the receivers' recovery, in scenario minutes. */
  actualMinutes: number;
  autoheal: OutageMetrics;
  bullmq: OutageMetrics;
  dispatcherLagMs: number;
  /** Raw times, for the JSON file. */
  perWebhook: unknown[];
  /** First attempts that got no answer at all (the dispatcher reported them failed). */
  dispatcherErrors: string[];
  approved: string[];
  incidents: unknown[];
  probeTimeline: string[];
  autohealResends: number[];
  bullmqExhausted: number;
  serviceLog: string;
}

const log = (line = '') => process.stdout.write(`${line}\n`);
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      lengths: { type: 'string', default: '3m,30m,2h,10h' },
      scale: { type: 'string', default: '1s' },
      deliveries: { type: 'string', default: '200' },
      grace: { type: 'string', default: '10m' },
      approvals: { type: 'string', default: 'operator' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    log(USAGE);
    process.exit(0);
  }
  const deliveries = Number(values.deliveries);
  if (!Number.isInteger(deliveries) || deliveries < 1) {
    throw new Error(`deliveries: must be a whole number >= 1 (got ${values.deliveries})`);
  }
  if (values.approvals !== 'operator' && values.approvals !== 'off') {
    throw new Error(`approvals: must be operator or off (got ${values.approvals})`);
  }
  return {
    lengths: parseLengths(values.lengths),
    scale: parseScale(values.scale),
    deliveries,
    graceMinutes: parseMinutes(values.grace, 'grace'),
    approvals: values.approvals,
  };
}

/** Read loosely: the setting arrives with the incident wiring, and the bench must run before and after. */
function probeIntervalSeconds(): number {
  const limits = DEFAULT_RULES.strategy_limits as unknown as Record<string, { probe_interval_seconds?: number } | undefined>;
  return limits.RECOVER_BACKLOG?.probe_interval_seconds ?? 60;
}

function gitRevision(): string {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${rev} (src/ modified)` : rev;
  } catch {
    return 'unknown';
  }
}

async function deleteRedisKeys(redis: Redis, pattern: string): Promise<number> {
  let deleted = 0;
  for await (const keys of redis.scanStream({ match: pattern, count: 500 }) as AsyncIterable<string[]>) {
    if (keys.length > 0) deleted += await redis.del(...keys);
  }
  return deleted;
}

/** Plays an operator on call: every pending approval is approved as soon as it is seen. */
function startOperator(service: ServiceProcess, token: string, everyMs: number, approved: string[]): () => Promise<void> {
  let running = true;
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${service.baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
  const loop = (async () => {
    while (running) {
      try {
        const res = await call('/autoheal/approvals?status=pending');
        if (res.ok) {
          const { approvals } = (await res.json()) as { approvals: Array<{ id: string }> };
          for (const approval of approvals) {
            const decided = await call(`/autoheal/approvals/${approval.id}/approve`, {
              method: 'POST',
              body: JSON.stringify({ note: 'outage bench operator' }),
            });
            if (decided.ok) approved.push(approval.id);
            await decided.arrayBuffer();
          }
        } else {
          await res.arrayBuffer();
        }
      } catch {
        // the service is stopping or busy: look again next round
      }
      await pause(everyMs);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

interface IncidentSummary {
  id: string;
  state: string;
  severity: string;
  kind: string;
  probes: number;
  delivered_by_heal: number;
  sends_wasted: number;
  opened_at: string;
  first_probe_success_at: string | null;
  recovered_at: string | null;
  timeline?: Array<{ at: string; type: string; detail: Record<string, unknown> }>;
}

async function fetchIncidents(service: ServiceProcess, token: string): Promise<IncidentSummary[]> {
  const get = async (path: string) => {
    const res = await fetch(`${service.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET ${path} answered ${res.status}`);
    return res.json() as Promise<unknown>;
  };
  try {
    const { incidents } = (await get(`/autoheal/incidents?tenant_id=${TENANT}&limit=100`)) as { incidents: IncidentSummary[] };
    return Promise.all(incidents.map((incident) => get(`/autoheal/incidents/${incident.id}`) as Promise<IncidentSummary>));
  } catch (error) {
    log(`  could not read the incidents: ${messageOf(error)}`);
    return [];
  }
}

/** Scenario minutes since the outage began, as `+12.3`. */
const sinceStart = (scale: TimeScale, downFrom: number, at: number) => `+${fmt(scale.scenarioMinutes(at - downFrom), 2)}`;

function timelineOf(incidents: IncidentSummary[], scale: TimeScale, downFrom: number): string[] {
  const lines: string[] = [];
  for (const incident of incidents) {
    const at = (iso: string | null, what: string) => (iso ? `, ${what} ${sinceStart(scale, downFrom, Date.parse(iso))}` : '');
    lines.push(
      `incident ${incident.id}: ${incident.kind}, ${incident.severity}, ${incident.state}; ${incident.probes} probes, ` +
        `${incident.delivered_by_heal} delivered by heal, ${incident.sends_wasted} sends wasted` +
        `${at(incident.opened_at, '; opened')}${at(incident.first_probe_success_at, 'first probe success')}` +
        `${at(incident.recovered_at, 'recovered')}`,
    );
    const events = incident.timeline ?? [];
    const shown = events.length > 60 ? [...events.slice(0, 40), null, ...events.slice(-15)] : events;
    for (const event of shown) {
      if (event === null) {
        lines.push(`  … ${events.length - 55} more events …`);
        continue;
      }
      lines.push(`  ${sinceStart(scale, downFrom, Date.parse(event.at))} ${event.type} ${JSON.stringify(event.detail).slice(0, 160)}`);
    }
  }
  return lines;
}

async function runOutage(minutes: number, options: Options, redis: Redis, stopRequested: () => boolean): Promise<OutageResult> {
  const { scale } = options;
  const run = `${Math.round(minutes)}m_${randomBytes(3).toString('hex')}`;
  const prefix = `bench-outage-${run}:`;
  const database = `autoheal_bench_outage_${run}`;
  const dir = mkdtempSync(join(tmpdir(), 'autoheal-outage-'));
  const rules = scaleRules(DEFAULT_RULES, scale);
  if (options.approvals === 'off') rules.global_safety = { ...(rules.global_safety as object), require_approval_for_critical: false };
  writeFileSync(join(dir, 'rules.json'), JSON.stringify(rules, null, 2));

  const autohealReceiver = await new FlakyReceiver().start();
  const bullmqReceiver = await new FlakyReceiver().start();
  const baseline = new BullmqBaselineDispatcher({
    redisUrl: REDIS_URL,
    prefix: `${COORDINATION_NAMESPACE}${prefix}baseline`,
    baseDelayMs: scale.realMs(BULLMQ_BASE_DELAY_SECONDS / 60),
    attempts: BULLMQ_ATTEMPTS,
    concurrency: 32,
  });
  let service: ServiceProcess | undefined;
  let stopOperator: (() => Promise<void>) | undefined;
  const abort = new AbortController();
  // Every scheduled send and report listens to it.
  setMaxListeners(Infinity, abort.signal);
  try {
    await createDatabase(database);
    service = await startServiceProcess(join(ROOT, 'dist', 'src', 'main.js'), {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'log',
        NO_COLOR: '1',
        DATABASE_URL: databaseUrl(database),
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        AUTOHEAL_CONFIG_FILE: join(dir, 'rules.json'),
        AUTOHEAL_INTERVAL_SECONDS: String(scale.realSeconds(CYCLE_SECONDS)),
      },
    });
    await baseline.ready();
    const config = AppConfig.fromEnv({ NODE_ENV: 'test' });
    const ingestToken = mintToken(config, { subject: 'outage-bench-dispatcher', roles: ['ingest'], ttl: '1d' });
    const adminToken = mintToken(config, { subject: 'outage-bench-operator', roles: ['admin'], ttl: '1d' });
    const approved: string[] = [];
    const probeIntervalMs = scale.realMs(probeIntervalSeconds() / 60);
    // An operator quicker than the service's own steps, so the figures measure the service.
    if (options.approvals === 'operator') stopOperator = startOperator(service, adminToken, Math.max(50, probeIntervalMs / 10), approved);

    const outageMs = scale.realMs(minutes);
    const graceMs = scale.realMs(options.graceMinutes);
    const downFrom = Date.now() + 200;
    const nominalRecovery = downFrom + outageMs;
    // Recovery waits until every webhook's own first attempt has arrived at both receivers: on a loaded
    // machine a dispatcher can fall behind a compressed outage, and a first attempt that found the
    // endpoint up would say nothing about healing. The outage is then a little longer; it is reported.
    const recoveryCap = nominalRecovery + Math.max(graceMs, outageMs);
    let recoveredAt: number | null = null;
    autohealReceiver.downBetween(downFrom, Infinity);
    bullmqReceiver.downBetween(downFrom, Infinity);
    const webhooks = spreadWebhooks(options.deliveries, outageMs, `wh_${run}`);
    const ids = webhooks.map((w) => w.id);

    const dispatched: Promise<DispatcherRun> = simulateDispatcher({
      webhooks,
      target: autohealReceiver.url(),
      tenantId: TENANT,
      service: { baseUrl: service.baseUrl, ingestToken },
      startAt: downFrom,
      reportEveryMs: REPORT_EVERY_MS,
      signal: abort.signal,
    });
    const queued = baseline.dispatch(webhooks, bullmqReceiver.url(), downFrom, abort.signal);
    // A failure in either dispatcher ends the outage at once rather than at its deadline.
    let failure: unknown = null;
    dispatched.catch((error: unknown) => (failure ??= error));
    queued.catch((error: unknown) => (failure ??= error));

    const totalMinutes = Math.ceil(minutes + scale.scenarioMinutes(baseline.retrySpanMs + graceMs));
    const progress = startProgress(`${formatLength(minutes)} outage (scenario min)`, totalMinutes);
    let shownMinutes = 0;
    for (;;) {
      if (failure) throw failure;
      if (stopRequested()) throw new Error('interrupted: cleaned up, no results written');
      const now = Date.now();
      const firstAttemptsIn = autohealReceiver.idsSeen >= ids.length && bullmqReceiver.idsSeen >= ids.length;
      if (recoveredAt === null && now >= nominalRecovery && (firstAttemptsIn || now >= recoveryCap)) {
        recoveredAt = now;
        autohealReceiver.downBetween(downFrom, now);
        bullmqReceiver.downBetween(downFrom, now);
      }
      const autohealDone = recoveredAt !== null && now >= recoveredAt + graceMs;
      const bullmqDone =
        recoveredAt !== null && (baseline.settled(options.deliveries) || now >= recoveredAt + baseline.retrySpanMs + graceMs);
      const elapsed = Math.min(totalMinutes, Math.floor(scale.scenarioMinutes(now - downFrom)));
      if (elapsed > shownMinutes) {
        const mq = baseline.progress();
        const phase = recoveredAt === null ? 'down' : 'up';
        const label = `${phase} · Auto-Heal ${autohealReceiver.delivered().size}/${ids.length} · BullMQ ${mq.delivered}/${ids.length}`;
        progress.tick(elapsed - shownMinutes, label);
        shownMinutes = elapsed;
      }
      if (autohealDone && bullmqDone) break;
      await pause(Math.min(50, scale.realMs(0.5)));
    }
    progress.stop();
    const { maxLagMs, attempts } = await dispatched;
    await queued;

    const window = { downFrom, recoveredAt: recoveredAt!, probeIntervalMs, scale };
    const incidents = await fetchIncidents(service, adminToken);
    return {
      minutes,
      actualMinutes: scale.scenarioMinutes(recoveredAt! - downFrom),
      autoheal: measureOutage(autohealReceiver.receipts, ids, window),
      bullmq: measureOutage(bullmqReceiver.receipts, ids, window),
      dispatcherLagMs: maxLagMs,
      perWebhook: perWebhook(attempts, autohealReceiver.receipts, bullmqReceiver.receipts, scale, downFrom),
      dispatcherErrors: attempts.filter((a) => a.status === 0).map((a) => `${a.id}: ${a.error}`),
      approved,
      incidents,
      probeTimeline: timelineOf(incidents, scale, downFrom),
      autohealResends: autohealReceiver.resendsWhileDown().map((r: Receipt) => scale.scenarioMinutes(r.at - downFrom)),
      bullmqExhausted: baseline.progress().exhausted,
      serviceLog: service.output(),
    };
  } finally {
    abort.abort();
    await stopOperator?.();
    await service?.stop();
    await baseline.close().catch(() => undefined);
    await autohealReceiver.stop();
    await bullmqReceiver.stop();
    await dropDatabase(database).catch((error: unknown) => log(`  could not drop ${database}: ${messageOf(error)}`));
    await deleteRedisKeys(redis, `${COORDINATION_NAMESPACE}${prefix}*`).catch(() => 0);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each webhook's timeline in scenario minutes since the outage began: due, sent, and every receipt (status@minute). */
function perWebhook(attempts: DispatchAttempt[], autoheal: Receipt[], bullmq: Receipt[], scale: TimeScale, downFrom: number) {
  const at = (t: number) => Number(scale.scenarioMinutes(t - downFrom).toFixed(3));
  const receipts = (list: Receipt[], id: string) => list.filter((r) => r.id === id).map((r) => `${r.status}@${at(r.at)}`);
  return attempts.map((a) => ({
    id: a.id,
    due: at(a.dueAt),
    sent: at(a.sentAt),
    status: a.status,
    autoheal: receipts(autoheal, a.id),
    bullmq: receipts(bullmq, a.id),
  }));
}

function details(result: OutageResult, scale: TimeScale): string[] {
  const lines = [`### ${formatLength(result.minutes)} outage`, ''];
  lines.push(
    `- The receivers recovered ${fmt(result.actualMinutes, 2)} scenario min after the outage began (every first attempt had arrived).`,
  );
  const describe = (name: string, m: OutageMetrics) => {
    lines.push(
      `- ${name}: ${m.delivered}/${m.webhooks} delivered, ${m.resendsWhileDown} re-sends into the down endpoint` +
        (m.minResendGapSeconds === null ? '' : ` (closest two ${fmt(m.minResendGapSeconds)} scenario s apart)`) +
        `, at most ${m.maxConcurrencyAfterRecovery} requests at once after recovery.`,
    );
    if (m.late.length > 0) {
      const worst = m.late.slice(0, 10).map((l) => `${l.id} +${fmt(l.minutes)}`);
      lines.push(`  - ${m.late.length} delivered more than ${GOALS.lastDeliveryMinutes} min after recovery; latest: ${worst.join(', ')}`);
    }
  };
  describe('Auto-Heal', result.autoheal);
  describe('BullMQ', result.bullmq);
  lines.push(`- BullMQ jobs out of attempts: ${result.bullmqExhausted}.`);
  const lag = result.dispatcherLagMs;
  lines.push(`- Dispatcher lag behind its schedule: at most ${fmt(scale.scenarioMinutes(lag), 2)} scenario min (${Math.round(lag)} ms).`);
  const errors = result.dispatcherErrors;
  if (errors.length > 0) lines.push(`- Dispatcher attempts with no answer (${errors.length}): ${errors.slice(0, 5).join('; ')}.`);
  lines.push(`- Approvals the bench's operator approved: ${result.approved.length}.`);
  const resends = result.autohealResends.map((m) => `+${fmt(m, 2)}`);
  lines.push(
    `- Auto-Heal's sends into the down endpoint (scenario min after the outage began): ` +
      `${resends.length === 0 ? 'none' : resends.slice(0, 80).join(' ')}${resends.length > 80 ? ' …' : ''}`,
  );
  lines.push('', 'Service incidents and timelines (scenario minutes after the outage began):', '', '```');
  lines.push(...(result.probeTimeline.length > 0 ? result.probeTimeline : ['(no incident)']));
  lines.push('```', '');
  return lines;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const { scale } = options;
  const started = new Date();
  const stamp = started.toISOString().slice(0, 16).replace(':', '');
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: true });
  await redis.connect();
  const machine =
    `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ` +
    `load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at start`;
  const scaledRules = scaleRules(DEFAULT_RULES, scale);
  const command =
    `npm run bench:outage -- --lengths ${options.lengths.map((m) => `${m}m`).join(',')} --scale ${scale.realMsPerScenarioMinute}ms ` +
    `--deliveries ${options.deliveries} --grace ${options.graceMinutes}m --approvals ${options.approvals}`;
  const header = [
    `# Outage benchmark, ${started.toISOString()}`,
    '',
    `- Command: \`${command}\``,
    `- Build: ${gitRevision()}; machine: ${machine}`,
    `- Time: 1 scenario minute = ${scale.realMsPerScenarioMinute} ms real (×${fmt(scale.speedup, 0)}); ` +
      `cycles every ${fmt(scale.realSeconds(CYCLE_SECONDS), 3)} s real (AUTOHEAL_INTERVAL_SECONDS, ${CYCLE_SECONDS} s scenario); ` +
      `probe interval ${probeIntervalSeconds()} s scenario.`,
    `- Auto-Heal: the built service (\`node dist/src/main.js\`) per outage, a fresh PostgreSQL database on the machine's server ` +
      `(migrated at boot), the shared Redis ${REDIS_URL} under its own REDIS_KEY_PREFIX (coordination and BullMQ drains), rules ` +
      `compressed through AUTOHEAL_CONFIG_FILE. The dispatcher makes ONE attempt per webhook and reports it to POST /deliveries ` +
      `(in batches every ${REPORT_EVERY_MS} ms real); recovery is the service's.`,
    `- Approvals: ${
      options.approvals === 'operator'
        ? 'kept on; the bench plays an operator who approves every pending approval within a tenth of a probe interval'
        : 'require_approval_for_critical: false'
    }.`,
    `- BullMQ baseline: queue + worker on the same Redis, exponential backoff from ${BULLMQ_BASE_DELAY_SECONDS} s scenario, ` +
      `${BULLMQ_ATTEMPTS} attempts; its own receiver with the same schedule.`,
    `- ${options.deliveries} webhooks spread evenly over each outage; Auto-Heal is given until ${options.graceMinutes} scenario min ` +
      `after recovery, BullMQ until its last retry is due (+${options.graceMinutes} min). Lost = not acknowledged by then.`,
    `- Re-sends into the down endpoint exclude each webhook's own first attempt; "per probe interval": averaged over the outage, ` +
      `and the most in any one interval (goal ≤ ${GOALS.resendsPerProbeInterval}).`,
    `- Scaled settings: ${describeScaledRules(DEFAULT_RULES, scaledRules).join('; ')}.`,
  ];
  log(header.join('\n'));
  log();

  const results: OutageResult[] = [];
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    log(`${signal}: stopping the current outage and cleaning up (database, Redis keys, temp dir)`);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const minutes of options.lengths) {
      log(`${formatLength(minutes)} outage: ${fmt(scale.realMs(minutes) / 1000)} s real, ${options.deliveries} webhooks`);
      const result = await runOutage(minutes, options, redis, () => interrupted);
      results.push(result);
      log(`  receivers recovered ${fmt(result.actualMinutes, 2)} scenario min after the outage began`);
      for (const [name, m] of [
        ['Auto-Heal', result.autoheal],
        ['BullMQ', result.bullmq],
      ] as const) {
        const missed = missedGoals(m);
        log(
          `  ${name.padEnd(9)} delivered ${m.delivered}/${m.webhooks}, last +${fmt(m.lastAfterRecovery)} min, ` +
            `${m.resendsWhileDown} down re-sends, ${m.duplicates} duplicates; goals missed: ${missed.join('; ') || 'none'}`,
        );
      }
    }
  } finally {
    await redis.quit().catch(() => undefined);
  }

  const rows: OutageRow[] = results.flatMap((r) => [
    { outage: formatLength(r.minutes), dispatcher: 'Auto-Heal', metrics: r.autoheal },
    { outage: formatLength(r.minutes), dispatcher: 'BullMQ', metrics: r.bullmq },
  ]);
  const table = resultTable(rows);
  log();
  log(table);

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `outage-${stamp}.md`);
  const body = [...header, '', table, '', '## Per outage', '', ...results.flatMap((r) => details(r, scale))];
  writeFileSync(file, `${body.join('\n')}\n`);
  for (const r of results) writeFileSync(join(RESULTS_DIR, `outage-${stamp}-${r.minutes}m.service.log`), r.serviceLog);
  writeFileSync(
    join(RESULTS_DIR, `outage-${stamp}.json`),
    `${JSON.stringify(
      results.map(({ serviceLog: _log, ...r }) => r),
      null,
      2,
    )}\n`,
  );
  log();
  log(`written to ${file} (service logs and raw figures beside it)`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`outage benchmark failed: ${error instanceof Error ? error.stack : error}\n`);
    process.exit(1);
  },
);
