import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { AppConfig } from '../src/config/app-config';
import { mintToken } from '../src/auth/token';
import { runMigrationsSerialized } from '../src/database/migrate';
import { classifyFailure } from '../src/triage/triage';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../ormconfig';
import { startProgress } from './progress';
import { createDatabase, databaseUrl } from './scratch-database';
import { median, round } from './stats';

export const BATCH_SIZE = 1000;
export const CLIENTS = 4;
const ROOT = resolve(__dirname, '..', '..');
const ACTOR = 'bench-dispatcher';

interface Item {
  id: string;
  tenant_id: string;
  target: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'failed' | 'dead_letter';
  http_status?: number;
  error?: string;
  payload: unknown;
  headers: Record<string, string>;
  created_at: string;
  attempted_at?: string;
}

/** One batch, ready to send both ways: the HTTP body, and the floor's two statements' parameters. */
interface Batch {
  body: Buffer;
  deliveries: string;
  attempts: string;
}

export interface IngestPhase {
  rows: number;
  ms: number;
  rows_per_s: number;
}

export interface IngestResult {
  rounds: number;
  batches_per_phase: number;
  app: IngestPhase[];
  floor: IngestPhase[];
  ratios: number[];
  app_median_rows_per_s: number;
  floor_median_rows_per_s: number;
  ratio_median: number;
  ratio_min: number;
  ratio_max: number;
  stored_identically: boolean;
  audit_rows: number;
}

const FAILURES: Array<{ http_status?: number; error: string }> = [
  { http_status: 503, error: 'Request failed with status code 503' },
  { error: 'connect ECONNREFUSED 10.0.0.7:443' },
  { http_status: 429, error: 'Too Many Requests' },
  { http_status: 404, error: 'Not Found' },
];

/** A dispatcher's mix: 90% delivered, 6% failed, 2% dead-lettered, 2% pending; ~400-byte payloads. */
function makeItem(n: number, now: number): Item {
  const tenant = n % 500;
  const slot = n % 50;
  const status = slot < 45 ? 'delivered' : slot < 48 ? 'failed' : slot === 48 ? 'dead_letter' : 'pending';
  const failure = FAILURES[n % FAILURES.length];
  const created = new Date(now - 60_000 + (n % 60_000));
  const item: Item = {
    id: `ing-${n}`,
    tenant_id: `tenant-${tenant}`,
    target: `https://hooks.tenant-${tenant}.example.com/webhooks/${n % 20}`,
    event_type: ['order.created', 'order.paid', 'invoice.sent', 'customer.updated'][n % 4],
    status,
    payload: {
      event_id: `evt-${n}`,
      order: { id: `ord-${n}`, amount_cents: n % 100_000, currency: 'EUR', items: [{ sku: `sku-${n % 97}`, qty: 1 + (n % 3) }] },
      customer: { id: `cus-${n % 10_000}`, email: `customer${n % 10_000}@example.com` },
    },
    headers: { 'content-type': 'application/json', 'x-event-id': `evt-${n}` },
    created_at: created.toISOString(),
  };
  if (status !== 'pending') item.attempted_at = new Date(created.getTime() + 250).toISOString();
  if (status === 'delivered') item.http_status = 200;
  else if (status !== 'pending') Object.assign(item, failure);
  return item;
}

function makeBatch(first: number, now: number): Batch {
  const items = Array.from({ length: BATCH_SIZE }, (_, i) => makeItem(first + i, now));
  const deliveries = items.map((item) => {
    const triage = classifyFailure(item);
    return {
      ...item,
      http_status: item.http_status ?? null,
      error: item.error ?? null,
      triage_label: triage?.label ?? null,
      triage_score: triage?.score ?? null,
      attempts: item.attempted_at ? 1 : 0,
      attempted_at: item.attempted_at ?? null,
    };
  });
  const attempts = items
    .filter((item) => item.attempted_at)
    .map((item) => ({
      id: item.id,
      attempted_at: item.attempted_at,
      http_status: item.http_status ?? null,
      error: item.error ?? null,
      outcome: item.status === 'delivered' ? 'succeeded' : 'failed',
    }));
  return { body: Buffer.from(JSON.stringify(items)), deliveries: JSON.stringify(deliveries), attempts: JSON.stringify(attempts) };
}

// The floor: what PostgreSQL needs to store the same rows, computed beforehand, in two set-based statements.
const FLOOR_DELIVERIES = `
  INSERT INTO deliveries (id, tenant_id, target, event_type, status, http_status, error, triage_label, triage_score,
                          attempts, payload, headers, created_at, updated_at, last_attempt_at)
  SELECT i.id, i.tenant_id, i.target, i.event_type, i.status, i.http_status, i.error, i.triage_label, i.triage_score,
         i.attempts, i.payload, i.headers, i.created_at, now(), i.attempted_at
  FROM jsonb_to_recordset($1::jsonb) AS i(
    id text, tenant_id text, target text, event_type text, status text, http_status int, error text, triage_label text,
    triage_score real, attempts int, payload jsonb, headers jsonb, created_at timestamptz, attempted_at timestamptz)`;
const FLOOR_ATTEMPTS = `
  INSERT INTO delivery_attempts (delivery_id, attempted_at, http_status, error, source, actor, outcome)
  SELECT a.id, a.attempted_at, a.http_status, a.error, 'dispatcher', $2, a.outcome
  FROM jsonb_to_recordset($1::jsonb) AS a(id text, attempted_at timestamptz, http_status int, error text, outcome text)`;

// Everything both sides must have stored alike (updated_at is the time of writing, so it differs).
const CONTENT_DIGEST = `
  SELECT count(*)::int AS n, md5(string_agg(row(id, tenant_id, target, event_type, status, http_status, error, triage_label,
         triage_score, attempts, payload, headers, created_at, last_attempt_at)::text, '|' ORDER BY id)) AS digest,
         (SELECT md5(string_agg(row(delivery_id, attempted_at, http_status, error, source, actor, outcome)::text, '|'
                 ORDER BY delivery_id, attempted_at)) FROM delivery_attempts) AS attempts_digest
  FROM deliveries`;

async function migrate(url: string): Promise<void> {
  const dataSource = new DataSource(dataSourceOptions(url, 2));
  await dataSource.initialize();
  try {
    await runMigrationsSerialized(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

interface Service {
  port: number;
  output(): string;
  stop(): Promise<void>;
}

/** The built service as `npm start` runs it, in its own process, so the clients do not share its event loop. */
async function startService(env: Record<string, string>): Promise<Service> {
  // BENCH_SERVICE_NODE_ARGS=--cpu-prof profiles the service; BENCH_SERVICE_MAIN measures another build (e.g. main's).
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const main = process.env.BENCH_SERVICE_MAIN || join(ROOT, 'dist', 'src', 'main.js');
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, main], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the service exited before listening:\n${output}`));
    });
  });
  return {
    port,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function post(agent: Agent, port: number, token: string, body: Buffer): Promise<void> {
  return new Promise((done, fail) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/deliveries',
        headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) return fail(new Error(`POST /deliveries answered ${res.statusCode}: ${text.slice(0, 500)}`));
          const answer = JSON.parse(text) as { inserted: number; updated: number };
          if (answer.inserted !== BATCH_SIZE) return fail(new Error(`POST /deliveries stored ${text}, expected ${BATCH_SIZE} inserts`));
          done();
        });
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

/** `CLIENTS` loops, each taking the next batch until none is left. */
async function runConcurrently(batches: Batch[], send: (batch: Batch) => Promise<void>, onBatch: () => void): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < batches.length) {
        await send(batches[next++]);
        onBatch();
      }
    }),
  );
  return performance.now() - started;
}

const phaseOf = (rows: number, ms: number): IngestPhase => ({ rows, ms: round(ms, 1), rows_per_s: Math.round((rows / ms) * 1000) });

/**
 * HTTP ingest through the real service against its floor, side by side: every round sends the
 * same fresh batches once over `POST /deliveries` and once over `pg` (each to its own scratch
 * database), alternating which goes first. Then both databases must hold the same rows.
 */
export async function benchIngest(
  rounds: number,
  batchesPerPhase: number,
  log: (line: string) => void,
  /** The scratch databases are added here; the caller drops them, also when interrupted. */
  databases: string[],
): Promise<IngestResult> {
  const suffix = randomBytes(4).toString('hex');
  const names = { app: `autoheal_bench_ingest_app_${suffix}`, floor: `autoheal_bench_ingest_floor_${suffix}` };
  let service: Service | null = null;
  let pool: Pool | null = null;
  try {
    for (const name of Object.values(names)) {
      await createDatabase(name);
      databases.push(name);
      await migrate(databaseUrl(name));
    }
    const env = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'log',
      DATABASE_URL: databaseUrl(names.app),
      REDIS_URL: '',
      JWT_SECRET: randomBytes(32).toString('hex'),
      AUTOHEAL_INTERVAL_SECONDS: '0',
      AUTOHEAL_CONFIG_FILE: '',
      NOTIFY_WEBHOOK_URL: '',
    };
    service = await startService(env);
    const token = mintToken(AppConfig.fromEnv(env), { subject: ACTOR, roles: ['ingest'], ttl: '2h' });
    pool = new Pool({ connectionString: databaseUrl(names.floor), max: CLIENTS });
    const floorPool = pool;
    const port = service.port;

    // A fresh agent per phase: a socket left idle between phases may be closed by the server (keep-alive timeout) as it is reused.
    const overHttp = async (batches: Batch[], onBatch: () => void) => {
      const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
      try {
        return await runConcurrently(batches, (batch) => post(agent, port, token, batch.body), onBatch);
      } finally {
        agent.destroy();
      }
    };
    const sendFloor = async (batch: Batch) => {
      const client = await floorPool.connect();
      try {
        await client.query('BEGIN');
        await client.query(FLOOR_DELIVERIES, [batch.deliveries]);
        await client.query(FLOOR_ATTEMPTS, [batch.attempts, ACTOR]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    };

    const now = Date.now();
    let nextId = 0;
    const batchesOf = (count: number) => Array.from({ length: count }, () => makeBatch((nextId += BATCH_SIZE) - BATCH_SIZE, now));

    // A warm-up round (JIT, pools, caches), not counted.
    const warmup = batchesOf(Math.max(CLIENTS, Math.ceil(batchesPerPhase / 4)));
    await overHttp(warmup, () => undefined);
    await runConcurrently(warmup, sendFloor, () => undefined);

    const app: IngestPhase[] = [];
    const floor: IngestPhase[] = [];
    const ratios: number[] = [];
    const progress = startProgress('ingest', rounds * batchesPerPhase * 2);
    for (let r = 0; r < rounds; r++) {
      const batches = batchesOf(batchesPerPhase);
      const rows = batches.length * BATCH_SIZE;
      const tick = () => progress.tick(1, `round ${r + 1}/${rounds}`);
      const timeApp = async () => app.push(phaseOf(rows, await overHttp(batches, tick)));
      const timeFloor = async () => floor.push(phaseOf(rows, await runConcurrently(batches, sendFloor, tick)));
      if (r % 2 === 0) {
        await timeApp();
        await timeFloor();
      } else {
        await timeFloor();
        await timeApp();
      }
      ratios.push(round(app[r].rows_per_s / floor[r].rows_per_s, 2));
    }
    progress.stop();

    const appDigest = await digestOf(databaseUrl(names.app));
    const floorDigest = await digestOf(databaseUrl(names.floor));
    const storedIdentically = appDigest.n === nextId && JSON.stringify(appDigest) === JSON.stringify(floorDigest);
    if (!storedIdentically) log(`WARNING: the service and the floor stored different rows: ${JSON.stringify({ appDigest, floorDigest })}`);
    const auditRows = await countAudit(databaseUrl(names.app));

    const appMedian = median(app.map((p) => p.rows_per_s));
    const floorMedian = median(floor.map((p) => p.rows_per_s));
    return {
      rounds,
      batches_per_phase: batchesPerPhase,
      app,
      floor,
      ratios,
      app_median_rows_per_s: Math.round(appMedian),
      floor_median_rows_per_s: Math.round(floorMedian),
      ratio_median: round(median(ratios), 2),
      ratio_min: Math.min(...ratios),
      ratio_max: Math.max(...ratios),
      stored_identically: storedIdentically,
      audit_rows: auditRows,
    };
  } catch (error) {
    if (service) log(`the service's last output:\n${service.output().slice(-2000)}`);
    throw error;
  } finally {
    await pool?.end().catch(() => undefined);
    await service?.stop().catch(() => undefined);
  }
}

async function withPool<T>(url: string, work: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

const digestOf = (url: string) =>
  withPool(url, async (pool) => (await pool.query(CONTENT_DIGEST)).rows[0] as { n: number; digest: string; attempts_digest: string });

const COUNT_INGEST_AUDIT = `SELECT count(*)::int AS n FROM operator_audit WHERE resource_id = 'POST /deliveries'`;
const countAudit = (url: string) => withPool(url, async (pool) => (await pool.query(COUNT_INGEST_AUDIT)).rows[0].n as number);

export function printIngest(result: IngestResult, log: (line: string) => void): void {
  const int = (n: number) => n.toLocaleString('en-US');
  const row = (cells: string[]) => log(`  ${cells[0].padEnd(6)} ${cells[1].padStart(24)} ${cells[2].padStart(32)} ${cells[3].padStart(6)}`);
  log('');
  log(
    `HTTP ingest vs. the floor: ${BATCH_SIZE}-item batches, ${CLIENTS} concurrent clients, ${result.rounds} interleaved rounds of ` +
      `${result.batches_per_phase} batches each (${int(result.batches_per_phase * BATCH_SIZE)} rows per phase)`,
  );
  row(['round', 'POST /deliveries rows/s', 'floor (pg, 2 statements) rows/s', 'ratio']);
  result.app.forEach((app, i) => row([String(i + 1), int(app.rows_per_s), int(result.floor[i].rows_per_s), result.ratios[i].toFixed(2)]));
  row(['median', int(result.app_median_rows_per_s), int(result.floor_median_rows_per_s), result.ratio_median.toFixed(2)]);
  log(`  ratio range ${result.ratio_min.toFixed(2)}–${result.ratio_max.toFixed(2)}`);
  log(`  rows stored identically by both: ${result.stored_identically ? 'yes' : 'NO'}; ingest audit rows: ${result.audit_rows}`);
}
