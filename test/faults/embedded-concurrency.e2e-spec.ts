import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '../../src/auth/token';
import { AppConfig } from '../../src/config/app-config';
import { ServiceProcess, startService } from '../utils/service-process';

const DRY_RUNS = 100;
const INGESTS = 20;
const BATCH = 1000;
const READS = 40;
const ANSWER_WITHIN_MS = 120_000;

interface Answer {
  requestId: string;
  kind: 'run' | 'ingest' | 'read';
  status: number | 'no answer';
  body: string;
}

/**
 * PGlite is one backend: the pool's clients must take turns on it. Before, the pg pool's several
 * connections interleaved extended-protocol messages through pglite-socket's multiplexer
 * (`bind message supplies 1 parameters, but prepared statement "" requires 4`, lost answers).
 */
describe('the embedded default under concurrent load', () => {
  let dataDir: string;
  let service: ServiceProcess;
  const admin = mintToken(AppConfig.fromEnv({ NODE_ENV: 'test' }), { subject: 'load', roles: ['admin'], ttl: '30m' });

  const call = async (kind: Answer['kind'], requestId: string, path: string, init: RequestInit = {}): Promise<Answer> => {
    try {
      const res = await fetch(`${service.baseUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', 'x-request-id': requestId },
        signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
      });
      return { requestId, kind, status: res.status, body: await res.text() };
    } catch (error) {
      return { requestId, kind, status: 'no answer', body: String(error) };
    }
  };
  const batch = (ingest: number) =>
    Array.from({ length: BATCH }, (_, item) => ({
      id: `dlv_load_${ingest}_${item}`,
      tenant_id: `load-${ingest}`,
      target: `https://example.com/hooks/${ingest}/${item % 5}`,
      status: item % 3 === 0 ? 'delivered' : 'failed',
      http_status: item % 3 === 0 ? 200 : 503,
    }));

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'autoheal-embedded-load-'));
    // PGlite's first boot (initdb in WASM, then the migrations) is slow on a loaded machine.
    service = await startService({ DATA_DIR: dataDir, AUTOHEAL_INTERVAL_SECONDS: '0' }, 150_000);
    // Failing endpoints already there, so every dry run has incidents to detect and plan.
    const seeded = await call('ingest', 'seed', '/deliveries', { method: 'POST', body: JSON.stringify(batch(INGESTS)) });
    expect(seeded.status).toBe(200);
  }, 180_000);
  afterAll(async () => {
    await service?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers every request with 2xx or 429 and stores every row and every audit entry', async () => {
    const requests: Array<Promise<Answer>> = [];
    for (let i = 0; i < DRY_RUNS; i++) requests.push(call('run', `run-${i}`, '/autoheal/run?dry_run=true', { method: 'POST' }));
    for (let i = 0; i < INGESTS; i++)
      requests.push(call('ingest', `ingest-${i}`, '/deliveries', { method: 'POST', body: JSON.stringify(batch(i)) }));
    const reads = ['/deliveries?limit=200', '/autoheal/history?limit=20', '/operator/audit?limit=50', '/deliveries/dlv_load_20_1'];
    for (let i = 0; i < READS; i++) requests.push(call('read', `read-${i}`, reads[i % reads.length]));
    let loading = true;
    const healthDuringLoad: Answer[] = [];
    const pollHealth = (async () => {
      for (let i = 0; loading; i++) healthDuringLoad.push(await call('read', `health-${i}`, '/health'));
    })();
    const answers = await Promise.all(requests);
    loading = false;
    await pollHealth;
    // The database served everything, so /health must not have called it down meanwhile.
    expect(healthDuringLoad.length).toBeGreaterThan(0);
    expect(healthDuringLoad.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.body.slice(0, 300)}`)).toEqual([]);

    const wrong = answers.filter((a) => a.status === 'no answer' || !((a.status >= 200 && a.status < 300) || a.status === 429));
    expect(wrong.map((a) => `${a.requestId}: ${a.status} ${a.body.slice(0, 300)}`)).toEqual([]);
    expect(answers.filter((a) => a.kind === 'ingest').every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.kind === 'read').every((a) => a.status === 200)).toBe(true);
    const runs = answers.filter((a) => a.kind === 'run' && a.status === 200);
    expect(runs.length).toBeGreaterThan(0);
    expect(service.output()).not.toMatch(/AUDIT WRITE FAILED/);

    for (let i = 0; i < INGESTS; i++) {
      const res = await call('read', `count-${i}`, `/deliveries?tenant_id=load-${i}&limit=1000`);
      expect(res.status).toBe(200);
      expect({ tenant: i, rows: (JSON.parse(res.body) as unknown[]).length }).toEqual({ tenant: i, rows: BATCH });
    }

    const audit = await call('read', 'audit', '/operator/audit?limit=1000');
    expect(audit.status).toBe(200);
    const audited = (JSON.parse(audit.body) as Array<{ meta: { request_id?: string } }>).map((entry) => entry.meta.request_id);
    const succeededWrites = answers.filter((a) => a.kind !== 'read' && a.status === 200).map((a) => a.requestId);
    expect(audited.filter((id) => id !== 'seed').sort()).toEqual(succeededWrites.sort());

    const history = await call('read', 'history', '/autoheal/history?limit=1000');
    expect(history.status).toBe(200);

    const health = await call('read', 'health', '/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ info: { database: { status: 'up', kind: 'embedded' } } });
  }, 300_000);
});
