import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import type { IncidentRecord } from '../../src/incidents/incident';
import { RulesSource } from '../../src/rules/rules.source';
import { MutableRulesSource } from '../engine/engine-harness';
import { dispatchAndReport } from '../utils/dispatcher';
import { eventually } from '../utils/eventually';
import { HttpReceiver } from '../utils/http-receiver';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

/** Debian's chromium package; `.ci/run` installs it when it is missing. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = resolve(__dirname, '..', '..', 'docs', 'dashboard.png');
const TENANT = 'acme';

jest.setTimeout(180_000);

/** Width and height from a PNG's IHDR chunk; throws when it is not a PNG. */
function pngSize(png: Buffer): { width: number; height: number } {
  if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a' || png.subarray(12, 16).toString() !== 'IHDR') {
    throw new Error('not a PNG');
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/**
 * The dashboard in a real browser (headless Chromium driven by playwright-core) against the service on real
 * PostgreSQL: a critical outage reported through POST /deliveries waits for an approval, is approved from the
 * page and heals; the kill switch is flipped from the page; a viewer sees no button; a token of another tenant
 * sees none of these incidents.
 */
describe('the dashboard in headless Chromium', () => {
  const rules = new MutableRulesSource();
  const down = new Set<string>(['/shop']);
  let db: TestDatabase;
  let t: TestApp;
  let receiver: HttpReceiver;
  let browser: Browser;
  let baseUrl: string;
  let admin: string;
  let workDir: string;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `The dashboard's browser test needs Chromium at ${CHROMIUM} (Debian's chromium package): ` +
          'run `apt-get install -y chromium` (.ci/run installs it when missing), or set CHROMIUM_PATH.',
      );
    }
    workDir = mkdtempSync(join(tmpdir(), 'autoheal-dashboard-'));
    db = await createTestDatabase();
    receiver = await new HttpReceiver().start();
    receiver.respond = (r) => (r.path === '/legacy' ? { status: 410 } : down.has(r.path) ? { status: 503 } : undefined);
    // Probes every half second, drains at up to 200/s: the approved outage heals within seconds (a minute on a loaded machine).
    rules.patch({
      strategy_limits: { RECOVER_BACKLOG: { probe_interval_seconds: 0.5, drain_rate_per_second: 200, drain_concurrency: 8 } },
      storm: { max_endpoint_share: 1 },
    });
    t = await createTestApp({
      env: { DATABASE_URL: db.url, REDIS_URL: undefined, NOTIFY_WEBHOOK_URL: undefined, AUTOHEAL_INTERVAL_SECONDS: '2' },
      overrides: [[RulesSource, rules]],
    });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    admin = t.token('admin', 'admin-eve');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (t) await http().put('/autoheal/controls').auth(admin, { type: 'bearer' }).send({ autoheal_enabled: null, dry_run: null });
    await t?.close();
    await receiver?.stop();
    await db?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  async function signedIn(token: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${baseUrl}/dashboard`);
    await page.fill('#token', token);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('body[data-loaded=true]', { timeout: 15_000 });
    expect(errors).toEqual([]);
    return page;
  }

  const incidentOf = async (path: string): Promise<IncidentRecord> => {
    const res = await http().get(`/autoheal/incidents?tenant_id=${TENANT}`).auth(admin, { type: 'bearer' }).expect(200);
    const found = (res.body.incidents as IncidentRecord[]).find((i) => i.endpoint === receiver.url(path));
    if (!found) throw new Error(`no incident for ${path} yet`);
    return found;
  };

  it('an admin sees the incident appear, approves it, watches it heal, and flips the kill switch', async () => {
    const ingest = t.token('ingest', 'dispatcher');
    const burst = (path: string, count: number) =>
      Array.from({ length: count }, (_, i) => ({
        id: `${path.slice(1)}_${i}`,
        tenant_id: TENANT,
        target: receiver.url(path),
        payload: { order: i },
      }));
    // A critical transient outage (120 failures: it waits for an approval) and an endpoint that is gone (410).
    await dispatchAndReport(t.app, ingest, burst('/shop', 120));
    await dispatchAndReport(t.app, ingest, burst('/legacy', 12));

    const page = await signedIn(admin);
    await expect(page.textContent('#who-subject')).resolves.toBe('admin-eve');
    const shopRow = page.locator('#incidents tbody tr', { hasText: receiver.url('/shop') }).first();
    await shopRow.waitFor({ timeout: 15_000 });
    // The scheduled cycle asks for the approval and escalates; the page shows both.
    const approvalRow = page.locator('#approvals tbody tr[data-id]', { hasText: receiver.url('/shop') });
    await approvalRow.waitFor({ timeout: 20_000 });
    await expect(shopRow.textContent()).resolves.toContain('awaiting_approval');
    await page.locator('#escalations tbody tr', { hasText: receiver.url('/legacy') }).waitFor({ timeout: 20_000 });

    // The receiver is back; the operator approves from the page.
    down.delete('/shop');
    await approvalRow.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#approvals tbody tr.empty').waitFor({ timeout: 10_000 });
    const approved = await eventually(async () => {
      const incident = await incidentOf('/shop');
      expect(incident.state).toBe('recovered');
      return incident;
    }, 90_000);
    expect(approved.delivered_by_heal).toBe(120);
    await page.locator(`#incidents tbody tr[data-id="${approved.id}"]`, { hasText: 'recovered' }).waitFor({ timeout: 10_000 });

    // The chart has data points for both endpoints: failures for each, heals for the one that recovered.
    const heals = page.locator('#chart rect.bar.heals');
    await heals.first().waitFor({ state: 'attached', timeout: 10_000 });
    const sum = (counts: Array<string | null>) => counts.reduce((n, c) => n + Number(c), 0);
    const countsOf = (selector: string) => page.locator(selector).evaluateAll((rects) => rects.map((r) => r.getAttribute('data-count')));
    const chart = {
      endpoints: await page.locator('#chart g.endpoint').evaluateAll((groups) => groups.map((g) => g.getAttribute('data-endpoint'))),
      failures: sum(await countsOf('#chart rect.bar.failures')),
      heals: sum(await countsOf('#chart rect.bar.heals')),
    };
    expect(chart.endpoints.sort()).toEqual([receiver.url('/legacy'), receiver.url('/shop')].sort());
    expect(chart.failures).toBeGreaterThanOrEqual(132);
    expect(chart.heals).toBe(120);
    await expect(page.locator('#history tbody tr').count()).resolves.toBeGreaterThan(0);

    // Acknowledge the gone endpoint's escalation from the page.
    const legacy = page.locator('#escalations tbody tr', { hasText: receiver.url('/legacy') });
    await legacy.getByRole('button', { name: 'Acknowledge' }).click();
    await legacy.filter({ hasText: 'acknowledged' }).waitFor({ timeout: 10_000 });

    // The screenshot: a real page with the chart and rows on it.
    const shot = join(workDir, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    const png = readFileSync(shot);
    const { width, height } = pngSize(png);
    expect(width).toBe(1400);
    expect(height).toBeGreaterThan(900);
    expect(png.length).toBeGreaterThan(40_000);
    if (process.env.UPDATE_DASHBOARD_SCREENSHOT === '1') await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // The kill switch wants a reason, then stops healing for everyone.
    await page.click('#kill-switch');
    await expect(page.textContent('#error')).resolves.toMatch(/Give a reason/);
    await page.fill('#ctl-reason-input', 'INC-42: receiver migration');
    await page.click('#kill-switch');
    await page.locator('#ctl-enabled', { hasText: 'OFF' }).waitFor({ timeout: 10_000 });
    await expect(page.textContent('#ctl-reason')).resolves.toBe('INC-42: receiver migration');
    const controls = await http().get('/autoheal/controls').auth(admin, { type: 'bearer' }).expect(200);
    expect(controls.body).toMatchObject({ autoheal_enabled: false, reason: 'INC-42: receiver migration' });
    await http().post('/autoheal/run').auth(admin, { type: 'bearer' }).expect(403);

    await page.fill('#ctl-reason-input', 'migration done');
    await page.click('#resume');
    await page.locator('#ctl-enabled', { hasText: 'on' }).waitFor({ timeout: 10_000 });
    await page.close();
  });

  it('a viewer sees the chart and no button at all', async () => {
    const page = await signedIn(t.token('viewer', 'viewer-vic'));
    await expect(page.locator('#viewer-note').isVisible()).resolves.toBe(true);
    await expect(page.locator('#incidents-panel').isVisible()).resolves.toBe(false);
    await expect(page.locator('#controls-panel').isVisible()).resolves.toBe(false);
    await expect(page.locator('main button:visible').count()).resolves.toBe(0);
    await expect(page.locator('#chart rect.bar').count()).resolves.toBeGreaterThan(0);
    await page.close();
  });

  it("an operator scoped to another tenant sees none of acme's incidents, and no kill switch", async () => {
    const page = await signedIn(t.token('operator', 'support-sam', '1h', ['globex']));
    await expect(page.textContent('#who-tenants')).resolves.toBe('tenants: globex');
    await expect(page.locator('#incidents tbody tr[data-id]').count()).resolves.toBe(0);
    await expect(page.locator('#chart rect.bar').count()).resolves.toBe(0);
    await expect(page.locator('#controls-form').isVisible()).resolves.toBe(false);
    await page.close();
  });

  it('a bad token is refused on the sign-in form', async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/dashboard`);
    await page.fill('#token', 'not-a-token');
    await page.click('#sign-in-form button[type=submit]');
    await page.locator('#sign-in-error', { hasText: 'Sign-in failed' }).waitFor({ timeout: 10_000 });
    await expect(page.locator('#app').isVisible()).resolves.toBe(false);
    await page.close();
  });

  it('the README shows a real screenshot of it', () => {
    const { width, height } = pngSize(readFileSync(SCREENSHOT));
    expect(width).toBeGreaterThan(1000);
    expect(height).toBeGreaterThan(800);
    expect(readFileSync(resolve(__dirname, '..', '..', 'README.md'), 'utf8')).toContain('](docs/dashboard.png)');
  });
});
