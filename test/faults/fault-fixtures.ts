import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '../../src/auth/token';
import { AppConfig } from '../../src/config/app-config';
import type { CycleResult } from '../../src/engine/cycle-result';
import { HttpReceiver } from '../utils/http-receiver';
import { ServiceProcess, startService } from '../utils/service-process';

export interface LiveRun {
  status: number;
  retryAfter: string | null;
  body: CycleResult & { error?: string };
}

/** The receiver the replays go to, and the service process (scheduler off) whose dependency a fault test breaks. */
export interface FaultRig {
  receiver: HttpReceiver;
  call(path: string, init?: RequestInit): Promise<Response>;
  /** One live cycle through the API. */
  runLive(): Promise<LiveRun>;
  /** The idempotency key (the delivery id) of every request the receiver got, in order. */
  sends(): string[];
  /** Kills the service, stops the receiver and removes the rules file. */
  stop(): Promise<void>;
}

/** `name` names the temporary directory of the rules file; `env` adds the dependencies' URLs and the replay timeout. */
export async function startFaultRig(name: string, rules: unknown, env: Record<string, string>): Promise<FaultRig> {
  const token = mintToken(AppConfig.fromEnv({ NODE_ENV: 'test' }), { subject: 'e2e', roles: ['admin'], ttl: '10m' });
  const receiver = await new HttpReceiver().start();
  const dir = await mkdtemp(join(tmpdir(), `autoheal-${name}-`));
  let service: ServiceProcess | undefined;
  const stop = async () => {
    await service?.stop('SIGKILL');
    await receiver.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await writeFile(join(dir, 'rules.json'), JSON.stringify(rules));
    service = await startService({ AUTOHEAL_INTERVAL_SECONDS: '0', AUTOHEAL_CONFIG_FILE: join(dir, 'rules.json'), ...env });
  } catch (error) {
    await stop();
    throw error;
  }
  const { baseUrl } = service;
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
  return {
    receiver,
    call,
    runLive: async () => {
      const res = await call('/autoheal/run?dry_run=false', { method: 'POST' });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as LiveRun['body'] };
    },
    sends: () => receiver.received.map((hit) => String(hit.headers['idempotency-key'])),
    stop,
  };
}

/**
 * One failure burst at `target` (tenant t1): 20 deliveries that went through 40 minutes ago, then `failed`
 * (dlv_0, dlv_1, …) that failed a minute ago. Posted through the API: its answer's status, and the failed ones.
 */
export async function seedFailureBurst(rig: FaultRig, target: string, failed: number) {
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const delivery = (id: string, status: string, httpStatus: number, minutesAgo: number) => ({
    id,
    tenant_id: 't1',
    target,
    status,
    http_status: httpStatus,
    payload: { id },
    created_at: at(minutesAgo),
    attempted_at: at(minutesAgo),
  });
  const healthy = Array.from({ length: 20 }, (_, i) => delivery(`ok_${i}`, 'delivered', 200, 40));
  const failing = Array.from({ length: failed }, (_, i) => delivery(`dlv_${i}`, 'failed', 503, 1));
  const res = await rig.call('/deliveries', { method: 'POST', body: JSON.stringify([...healthy, ...failing]) });
  return { status: res.status, failed: failing };
}
