import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_SCENARIO, runDemo, timelineLines } from '../../bench/demo/demo-run';
import { TimeScale } from '../../bench/outage/time-scale';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const MAIN = resolve(__dirname, '..', '..', 'dist', 'src', 'main.js');

jest.setTimeout(150_000);

/**
 * `npm run demo`'s core, as the demo runs it (the built service, the flaky and the broken receiver, the dispatcher,
 * the same scenario and time scale), on a fresh database of the machine's PostgreSQL instead of a fresh PGlite,
 * whose first start alone takes 20-40 s here (the embedded boot has its own tests).
 */
describe('npm run demo', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: npm test builds it first (or run npm run build)`);
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('heals the outage (probed while down, then drained, every webhook once) and escalates the broken endpoint', async () => {
    const events: string[] = [];
    const progress: string[] = [];
    const result = await runDemo({
      mainFile: MAIN,
      scale: new TimeScale(1000),
      env: { DATABASE_URL: db.url },
      deadlineMs: 90_000,
      onEvent: (line) => events.push(line),
      onProgress: (p) => progress.push(`${p.phase} ${p.delivered}/${p.total} ${p.flakyState}`),
    });

    expect(result).toMatchObject({ healed: true, escalated: true, delivered: DEFAULT_SCENARIO.flakyWebhooks, duplicates: 0 });
    const flaky = result.incidents.find((i) => i.endpoint === result.flakyUrl && i.state === 'recovered');
    expect(flaky).toBeDefined();
    const probes = flaky!.timeline.filter((e) => e.type === 'probe').map((e) => e.detail.outcome);
    expect(probes.slice(0, -1).length).toBeGreaterThanOrEqual(1);
    expect(probes.slice(0, -1).every((outcome) => outcome === 'failed')).toBe(true);
    expect(probes.at(-1)).toBe('delivered');
    expect(flaky!.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['opened', 'drain_batch', 'recovered']));
    expect(flaky!.time_to_heal_seconds).toBeGreaterThan(0);

    const broken = result.escalations.find((e) => e.endpoint === result.brokenUrl);
    expect(broken).toMatchObject({ status: 'open' });
    expect(broken!.reason).toMatch(/permanent/i);
    expect(result.incidents.find((i) => i.endpoint === result.brokenUrl)?.probes).toBe(0);

    // What the demo prints: the story, the progress line, and the timelines.
    expect(events.some((line) => line.includes('is back up'))).toBe(true);
    expect(events.some((line) => /probing → draining/.test(line))).toBe(true);
    expect(progress.at(-1)).toMatch(new RegExp(`^recovered ${DEFAULT_SCENARIO.flakyWebhooks}/${DEFAULT_SCENARIO.flakyWebhooks} `));
    expect(timelineLines(flaky!, Date.parse(flaky!.opened_at)).join('\n')).toMatch(/probe .*"outcome":"failed"/);
    expect(result.scenarioSeconds).toBeLessThan(60);
  });
});
