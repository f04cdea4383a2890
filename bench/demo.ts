import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MultiBar, type SingleBar } from 'cli-progress';
import { DEFAULT_SCENARIO, runDemo, timelineLines, type DemoProgress } from './demo/demo-run';
import { parseScale } from './outage/time-scale';

const ROOT = resolve(__dirname, '..', '..');
const USAGE = 'npm run demo -- [--scale 1s]   (the real time one scenario minute takes; 1s by default)';

/**
 * `npm run demo`: the service on its embedded database, a flaky receiver, a broken one and a dispatcher; a live
 * progress line while the outage is detected, probed, drained and recovered and the broken endpoint escalated;
 * then every incident's timeline and the elapsed time. Ends by itself.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { scale: { type: 'string', default: '1s' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const scale = parseScale(values.scale);
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out('AetherLink Auto-Heal demo: an outage healed, a dead endpoint escalated (about a minute; time compressed 60×: 1 s = 1 min).');
  out(
    `  Flaky endpoint: ${DEFAULT_SCENARIO.flakyWebhooks} webhooks; it answers 503 for ` +
      `${DEFAULT_SCENARIO.downUntilMinute - DEFAULT_SCENARIO.downFromMinute} scenario minutes, then 200.`,
  );
  out(`  Broken endpoint: ${DEFAULT_SCENARIO.brokenWebhooks} webhooks, every one answered 410 Gone.`);
  out('  The dispatcher tries each webhook once and reports the outcome to POST /deliveries; the rest is Auto-Heal.');
  out();

  const tty = process.stdout.isTTY === true;
  const bars = new MultiBar(
    {
      format: tty
        ? ' {phase} [{bar}] {value}/{total} delivered | flaky: {flaky}, {probes} probes | broken: {broken} | {seconds}s'
        : ' {phase} {value}/{total} delivered | flaky: {flaky}, {probes} probes | broken: {broken} | {seconds}s',
      barsize: 24,
      hideCursor: tty,
      noTTYOutput: !tty,
      notTTYSchedule: 5000,
      clearOnComplete: false,
      stopOnComplete: false,
    },
    undefined,
  );
  let bar: SingleBar | null = null;
  let boot: SingleBar | null = bars.create(
    30,
    0,
    { phase: 'booting', flaky: '–', probes: 0, broken: '–', seconds: '0' },
    {
      format: ' Starting the service on a fresh embedded PostgreSQL (PGlite; 20-40 s) [{bar}] {seconds}s',
    },
  );
  // On a terminal, above the bar (cli-progress redraws it); elsewhere at once (its buffer is flushed only at a redraw).
  const log = (line: string) => (tty ? bars.log(`${line}\n`) : out(line));
  const finish = () => {
    bars.update();
    bars.stop();
  };
  const show = (p: DemoProgress) => {
    if (boot) {
      bars.remove(boot);
      boot = null;
    }
    const payload = {
      phase: p.phase === 'outage' ? 'OUTAGE   ' : 'RECOVERED',
      flaky: p.flakyState,
      probes: p.probes,
      broken: p.brokenState,
      seconds: p.seconds.toFixed(0),
    };
    bar ??= bars.create(p.total, 0, payload);
    bar.update(p.delivered, payload);
  };

  let code = 0;
  try {
    const result = await runDemo({
      mainFile: join(ROOT, 'dist', 'src', 'main.js'),
      scale,
      onEvent: log,
      onProgress: show,
      onBooting: (seconds) => boot?.update(Math.min(29, seconds), { seconds: seconds.toFixed(0) }),
    });
    finish();
    out();
    out('Incidents and their timelines (GET /autoheal/incidents/:id):');
    const first = Math.min(...result.incidents.map((i) => Date.parse(i.opened_at)));
    for (const incident of result.incidents) {
      out();
      for (const line of timelineLines(incident, first)) out(`  ${line}`);
    }
    out();
    for (const e of result.escalations) out(`Escalation ${e.status} (${e.priority}): ${e.endpoint}: ${e.reason}`);
    out();
    out(
      `Healed: ${result.healed ? 'yes' : 'NO'} (${result.delivered}/${result.flakyWebhooks} webhooks delivered, ` +
        `${result.duplicates} twice); ` +
        `broken endpoint escalated: ${result.escalated ? 'yes' : 'NO'}.`,
    );
    out(
      `Demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
        `(service boot ${result.bootSeconds.toFixed(1)} s, scenario ${result.scenarioSeconds.toFixed(1)} s).`,
    );
    out('Next: `npm start`, then open http://localhost:8010/dashboard with a token from `npm run token -- --role admin --sub you`.');
    if (!result.healed || !result.escalated) code = 1;
  } catch (error) {
    finish();
    process.stderr.write(
      `Demo failed after ${((Date.now() - started) / 1000).toFixed(1)} s: ${error instanceof Error ? error.message : error}\n`,
    );
    code = 1;
  }
  // Keep-alive sockets of the dispatcher's agent would hold the process a few seconds more.
  process.exit(code);
}

void main();
