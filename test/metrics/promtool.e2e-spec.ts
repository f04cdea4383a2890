import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { AutohealMetrics } from '../../src/metrics/autoheal-metrics.service';
import { ROOT } from '../utils/service-process';
import { startPrivateRedis, PrivateRedis } from '../utils/private-redis';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const RULES_DIR = join(ROOT, 'deploy', 'prometheus');
const RULES = join(RULES_DIR, 'autoheal.rules.yml');

/** Runs promtool; a machine without it fails here, with what to install, rather than skipping. */
function promtool(args: string[], input?: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: RULES_DIR, input, encoding: 'utf8' });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error("promtool is not installed: install Debian's prometheus package (apt-get install -y prometheus); .ci/run does it");
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The YAML block under an `expr: |` line, as Prometheus reads it (indentation removed). */
function exprOf(text: string, alert: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim() === `alert: ${alert}` || line.trim() === `- alert: ${alert}`);
  if (start < 0) throw new Error(`alert ${alert} not found`);
  const exprLine = lines.findIndex((line, i) => i > start && /^\s*expr: \|\s*$/.test(line));
  const body: string[] = [];
  for (const line of lines.slice(exprLine + 1)) {
    if (line.trim() === '' || /^\s*[a-z_]+:/.test(line) || line.trim() === '```') break;
    body.push(line);
  }
  const indent = Math.min(...body.map((line) => line.length - line.trimStart().length));
  return body.map((line) => line.slice(indent)).join('\n');
}

describe('alert rules (promtool)', () => {
  it('are valid rules', () => {
    const { status, output } = promtool(['check', 'rules', 'autoheal.rules.yml']);
    expect(output).toMatch(/SUCCESS: 8 rules found/);
    expect(status).toBe(0);
  });

  it('pass their unit tests (each alert firing and not firing)', () => {
    const { status, output } = promtool(['test', 'rules', 'autoheal.rules.test.yml']);
    expect(output).toMatch(/SUCCESS/);
    expect(status).toBe(0);
  });

  it("carry the guide's two alerts with its expressions as written", () => {
    const guide = readFileSync(join(ROOT, 'docs', 'autoheal-guide.md'), 'utf8');
    const rules = readFileSync(RULES, 'utf8');
    for (const alert of ['AutohealHighSkipRate', 'AutohealRepeatedEscalations']) {
      expect(exprOf(guide, alert)).toMatch(/^\(?sum\(rate\(autoheal_/);
      expect(exprOf(rules, alert)).toBe(exprOf(guide, alert));
    }
  });

  it('alert only on metrics the service exports', () => {
    const exported = new AutohealMetrics().registry.getMetricsAsArray().map((metric) => metric.name);
    const used = [...readFileSync(RULES, 'utf8').matchAll(/\b(autoheal_[a-z_]+?)(?:_bucket)?\b(?=[[{\s)])/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(8);
    for (const name of new Set(used)) expect(exported).toContain(name);
  });
});

describe('GET /metrics', () => {
  let db: TestDatabase;
  let redis: PrivateRedis;
  let t: TestApp;
  const scrape = async () => (await request(t.app.getHttpServer()).get('/metrics').expect(200)).text;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await startPrivateRedis();
    t = await createTestApp({ env: { DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${redis.port}` } });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
    await db?.drop();
  });

  it('passes promtool check metrics on a live scrape', async () => {
    const text = await scrape();
    const { status, output } = promtool(['check', 'metrics'], text);
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  it("exports the recovery families, the dependencies' state and the process and Node.js defaults", async () => {
    const text = await scrape();
    for (const family of [
      'autoheal_incidents_open gauge',
      'autoheal_backlog_deliveries gauge',
      'autoheal_probes_total counter',
      'autoheal_drained_total counter',
      'autoheal_time_to_heal_seconds histogram',
      'autoheal_storm_active gauge',
      'autoheal_dependency_up gauge',
      'process_cpu_user_seconds_total counter',
      'process_resident_memory_bytes gauge',
      'nodejs_eventloop_lag_seconds gauge',
      'nodejs_heap_size_used_bytes gauge',
    ]) {
      expect(text).toContain(`# TYPE ${family}\n`);
    }
    expect(text).toMatch(/^autoheal_incidents_open\{state="probing"\} 0$/m);
    expect(text).toMatch(/^autoheal_probes_total\{outcome="failure"\} 0$/m);
    expect(text).toMatch(/^autoheal_dependency_up\{dependency="postgres"\} 1$/m);
    expect(text).toMatch(/^autoheal_dependency_up\{dependency="redis"\} 1$/m);
  });

  it('reports Redis down at the next scrape, without anyone calling /health', async () => {
    await redis.stop();
    const text = await scrape();
    expect(text).toMatch(/^autoheal_dependency_up\{dependency="redis"\} 0$/m);
    expect(text).toMatch(/^autoheal_dependency_up\{dependency="postgres"\} 1$/m);
  });
});
