import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { mintToken } from '../../src/auth/token';
import { AppConfig } from '../../src/config/app-config';
import { DEFAULT_RULES } from '../../src/rules/rules.defaults';
import { simulateDispatcher, spreadWebhooks, type DispatcherRun } from '../outage/dispatcher-simulator';
import { FlakyReceiver } from '../outage/flaky-receiver';
import { scaleRules } from '../outage/scaled-rules';
import { startServiceProcess, type ServiceProcess } from '../outage/service-process';
import type { TimeScale } from '../outage/time-scale';

export const DEMO_TENANT = 'tenant-demo';
const CYCLE_SECONDS = 300;

/** The scenario, in scenario minutes (the time scale turns them into real time). */
export interface DemoScenario {
  /** Webhooks to the flaky endpoint, spread evenly over `flakySpanMinutes`. */
  flakyWebhooks: number;
  flakySpanMinutes: number;
  /** The flaky endpoint answers 503 from `downFromMinute` until `downUntilMinute`, 200 before and after. */
  downFromMinute: number;
  downUntilMinute: number;
  /** Webhooks to the broken endpoint (410 Gone, always), spread over `brokenSpanMinutes`. */
  brokenWebhooks: number;
  brokenSpanMinutes: number;
}

// About 40 failures: more than a replay batch (25), so it is probed and drained, and fewer than the 50 that
// would make it a "massive" cluster for an operator. Down for 6 scenario minutes: a few probes fail first.
export const DEFAULT_SCENARIO: DemoScenario = {
  flakyWebhooks: 50,
  flakySpanMinutes: 7,
  downFromMinute: 0.2,
  downUntilMinute: 6,
  brokenWebhooks: 15,
  brokenSpanMinutes: 1,
};

export interface DemoOptions {
  /** The built service's entry file (dist/src/main.js). */
  mainFile: string;
  scale: TimeScale;
  scenario?: DemoScenario;
  /** Real ms the demo may take after the service is up before it gives up. */
  deadlineMs?: number;
  /** On top of the service's environment (e.g. a DATABASE_URL); nothing set means the embedded database. */
  env?: Record<string, string>;
  /** Lines of the story (incident opened, probe failed, recovered, escalated, …) as they happen. */
  onEvent?: (line: string) => void;
  /** About twice a second: what the progress line shows. */
  onProgress?: (progress: DemoProgress) => void;
  /** While the service boots (the embedded database's first start takes a while): seconds so far. */
  onBooting?: (seconds: number) => void;
}

export interface DemoProgress {
  phase: 'outage' | 'recovered';
  /** Distinct webhooks the flaky endpoint has acknowledged, of `flakyWebhooks`. */
  delivered: number;
  total: number;
  flakyState: string;
  probes: number;
  brokenState: string;
  seconds: number;
}

export interface DemoIncident {
  id: string;
  endpoint: string;
  state: string;
  kind: string;
  severity: string;
  probes: number;
  sends_wasted: number;
  delivered_by_heal: number;
  time_to_heal_seconds: number | null;
  escalation_id: string | null;
  opened_at: string;
  first_probe_success_at: string | null;
  timeline: Array<{ at: string; type: string; detail: Record<string, unknown> }>;
}

export interface DemoResult {
  healed: boolean;
  escalated: boolean;
  /** Distinct webhooks the flaky endpoint acknowledged, and how many it got twice. */
  delivered: number;
  duplicates: number;
  flakyWebhooks: number;
  incidents: DemoIncident[];
  escalations: Array<{ id: string; endpoint: string; priority: string; status: string; reason: string }>;
  bootSeconds: number;
  scenarioSeconds: number;
  flakyUrl: string;
  brokenUrl: string;
}

/**
 * The one-command demo's core: the built service (on the embedded database unless `env` says otherwise), a
 * flaky receiver that goes down and comes back, a receiver that is gone for good (410), and a dispatcher that
 * makes one attempt per webhook and reports it. Resolves once the outage is healed and the broken endpoint
 * escalated (or the deadline passes), with every incident's timeline.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { scale } = options;
  const scenario = options.scenario ?? DEFAULT_SCENARIO;
  const emit = options.onEvent ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'autoheal-demo-'));
  const flaky = await new FlakyReceiver().start();
  const broken = await new FlakyReceiver({ downStatus: 410 }).start();
  broken.goDown();
  const abort = new AbortController();
  setMaxListeners(Infinity, abort.signal);
  let service: ServiceProcess | undefined;
  const booting = Date.now();
  const bootTimer = setInterval(() => options.onBooting?.((Date.now() - booting) / 1000), 250);
  try {
    // Every duration of the default rules compressed (cycle every 5 s at 1 s per scenario minute, probes every second).
    writeFileSync(join(dir, 'rules.json'), JSON.stringify(scaleRules(DEFAULT_RULES, scale), null, 2));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'log',
      NO_COLOR: '1',
      DATA_DIR: join(dir, 'data'),
      AUTOHEAL_CONFIG_FILE: join(dir, 'rules.json'),
      AUTOHEAL_INTERVAL_SECONDS: String(scale.realSeconds(CYCLE_SECONDS)),
      ...options.env,
    };
    service = await startServiceProcess(options.mainFile, { cwd: dir, env, timeoutMs: 120_000 });
    clearInterval(bootTimer);
    const bootSeconds = (Date.now() - booting) / 1000;
    emit(`Service up in ${bootSeconds.toFixed(1)} s at ${service.baseUrl} (${env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'})`);

    const config = AppConfig.fromEnv(env);
    const ingestToken = mintToken(config, { subject: 'demo-dispatcher', roles: ['ingest'], ttl: '1h' });
    const operatorToken = mintToken(config, { subject: 'demo-operator', roles: ['operator'], ttl: '1h' });
    const api = async <T>(path: string): Promise<T> => {
      const res = await fetch(`${service!.baseUrl}${path}`, { headers: { authorization: `Bearer ${operatorToken}` } });
      if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as T;
    };

    const startAt = Date.now() + 100;
    const downFrom = startAt + scale.realMs(scenario.downFromMinute);
    // Down at least until `downUntilMinute` and until two probes found it down (so the story shows them), at most
    // 30 s more: on a loaded machine the first probe can come later than the compressed schedule says.
    const downUntil = startAt + scale.realMs(scenario.downUntilMinute);
    const downCap = downUntil + 30_000;
    let recoveredAt: number | null = null;
    flaky.downBetween(downFrom, Infinity);
    const dispatch = (receiver: FlakyReceiver, count: number, spanMinutes: number, prefix: string): Promise<DispatcherRun> =>
      simulateDispatcher({
        webhooks: spreadWebhooks(count, scale.realMs(spanMinutes), prefix),
        target: receiver.url(),
        tenantId: DEMO_TENANT,
        service: { baseUrl: service!.baseUrl, ingestToken },
        startAt,
        reportEveryMs: 200,
        signal: abort.signal,
      });
    let failure: unknown = null;
    const dispatched = Promise.all([
      dispatch(flaky, scenario.flakyWebhooks, scenario.flakySpanMinutes, 'order'),
      dispatch(broken, scenario.brokenWebhooks, scenario.brokenSpanMinutes, 'invoice'),
    ]);
    dispatched.catch((error: unknown) => (failure ??= error));
    emit(
      `Dispatching ${scenario.flakyWebhooks} webhooks to ${flaky.url()} (down from +${secondsAfter(startAt, downFrom)} s ` +
        `to at least +${secondsAfter(startAt, downUntil)} s) and ${scenario.brokenWebhooks} to ${broken.url()} (410 Gone, for good)`,
    );

    const deadline = Date.now() + (options.deadlineMs ?? 75_000);
    const seen = new Map<string, string>();
    const seenEscalations = new Set<string>();
    let healed = false;
    let escalated = false;
    let dispatchDone = false;
    void dispatched.then(() => (dispatchDone = true)).catch(() => undefined);
    while (Date.now() < deadline) {
      if (failure) throw failure;
      const now = Date.now();
      if (recoveredAt === null && now >= downUntil && (flaky.resendsWhileDown().length >= 2 || now >= downCap)) {
        recoveredAt = now;
        flaky.downBetween(downFrom, now);
        emit(
          `+${secondsAfter(startAt, now)} s  ${flaky.url()} is back up (200), ` +
            `after ${flaky.resendsWhileDown().length} probes found it down`,
        );
      }
      const { incidents } = await api<{ incidents: DemoIncident[] }>(`/autoheal/incidents?tenant_id=${DEMO_TENANT}&limit=100`);
      for (const incident of [...incidents].reverse()) {
        const before = seen.get(incident.id);
        const which = incident.endpoint === flaky.url() ? 'flaky' : 'broken';
        if (before === undefined) {
          emit(
            `+${secondsAfter(startAt, now)} s  incident opened on the ${which} endpoint: ` +
              `${incident.kind}, ${incident.severity}, ${incident.state}`,
          );
        } else if (before !== incident.state) {
          const line = (from: string, to: string, extra: string, at = now) =>
            emit(`+${secondsAfter(startAt, at)} s  ${which} endpoint: ${from} → ${to}${extra}`);
          const probed = ` (a probe got a 2xx after ${incident.probes} probes)`;
          const healed =
            ` (${incident.delivered_by_heal} delivered by heal after ${incident.probes} probes, time to heal ` +
            `${incident.time_to_heal_seconds ?? '–'} s)`;
          if (incident.state === 'recovered' && before === 'probing' && incident.first_probe_success_at) {
            // A small backlog drains between two looks: the drain began at the first successful probe.
            line('probing', 'draining', probed, Date.parse(incident.first_probe_success_at));
            line('draining', 'recovered', healed);
          } else {
            line(before, incident.state, incident.state === 'recovered' ? healed : incident.state === 'draining' ? probed : '');
          }
        }
        seen.set(incident.id, incident.state);
      }
      const escalations =
        await api<Array<{ id: string; endpoint: string; priority: string; reason: string }>>(`/autoheal/escalations?limit=100`);
      for (const e of escalations) {
        if (seenEscalations.has(e.id)) continue;
        seenEscalations.add(e.id);
        emit(`+${secondsAfter(startAt, now)} s  escalated to an operator (${e.priority}): ${e.endpoint}: ${e.reason}`);
      }
      const flakyIncidents = incidents.filter((i) => i.endpoint === flaky.url());
      const current = flakyIncidents[0];
      const brokenIncident = incidents.find((i) => i.endpoint === broken.url());
      escalated = escalations.some((e) => e.endpoint === broken.url());
      const delivered = flaky.delivered().size;
      healed = delivered === scenario.flakyWebhooks && flakyIncidents.some((i) => i.state === 'recovered');
      options.onProgress?.({
        phase: recoveredAt === null ? 'outage' : 'recovered',
        delivered,
        total: scenario.flakyWebhooks,
        flakyState: current?.state ?? 'healthy',
        probes: flakyIncidents.reduce((n, i) => n + i.probes, 0),
        brokenState: brokenIncident?.state ?? (escalated ? 'escalated' : 'failing'),
        seconds: Math.max(0, now - startAt) / 1000,
      });
      if (healed && escalated && dispatchDone) break;
      await pause(500);
    }
    const scenarioSeconds = (Date.now() - startAt) / 1000;
    abort.abort();
    await dispatched.catch(() => undefined);

    const { incidents } = await api<{ incidents: Array<{ id: string }> }>(`/autoheal/incidents?tenant_id=${DEMO_TENANT}&limit=100`);
    const detailed = await Promise.all(incidents.map((i) => api<DemoIncident>(`/autoheal/incidents/${i.id}`)));
    const escalations = await api<DemoResult['escalations']>(`/autoheal/escalations?limit=100`);
    return {
      healed,
      escalated,
      delivered: flaky.delivered().size,
      duplicates: flaky.duplicates(),
      flakyWebhooks: scenario.flakyWebhooks,
      incidents: detailed.reverse(),
      escalations,
      bootSeconds,
      scenarioSeconds,
      flakyUrl: flaky.url(),
      brokenUrl: broken.url(),
    };
  } catch (error) {
    const log = service?.output() ?? '';
    throw new Error(`${error instanceof Error ? error.message : String(error)}${log ? `\n--- service log ---\n${log.slice(-4000)}` : ''}`, {
      cause: error,
    });
  } finally {
    clearInterval(bootTimer);
    abort.abort();
    await service?.stop();
    await flaky.stop();
    await broken.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const secondsAfter = (start: number, at: number) => ((at - start) / 1000).toFixed(1);

/** An incident's timeline as lines: `+12.3 s  probe  {"outcome":"failed",…}`, seconds after the first event. */
export function timelineLines(incident: DemoIncident, startAt: number): string[] {
  const lines = [
    `${incident.endpoint}: ${incident.kind}, ${incident.severity}, now ${incident.state}; ${incident.probes} probes ` +
      `(${incident.sends_wasted} into the down endpoint), ${incident.delivered_by_heal} delivered by heal` +
      (incident.time_to_heal_seconds === null ? '' : `, time to heal ${incident.time_to_heal_seconds} s`),
  ];
  const events = incident.timeline ?? [];
  const shown = events.length > 30 ? [...events.slice(0, 20), null, ...events.slice(-8)] : events;
  for (const event of shown) {
    if (event === null) {
      lines.push(`    … ${events.length - 28} more events …`);
      continue;
    }
    const at = ((Date.parse(event.at) - startAt) / 1000).toFixed(1).padStart(6);
    lines.push(`  +${at} s  ${event.type.padEnd(14)} ${JSON.stringify(event.detail).slice(0, 110)}`);
  }
  return lines;
}
