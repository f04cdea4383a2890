import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { BullmqDrainQueue, BullmqDrainQueueOptions } from '../../src/recovery/bullmq-drain-queue.adapter';
import { InProcessDrainQueue } from '../../src/recovery/in-process-drain-queue.adapter';
import { eventually } from '../utils/eventually';
import { TEST_REDIS_URL } from '../utils/pg-admin';
import { deleteKeys } from '../utils/redis-keys';
import { distFile, ROOT } from '../utils/service-process';
import { describeDrainQueueContract } from './drain-queue.contract';

const runPrefix = `test-${randomUUID()}:`;
/** Compressed so a dead worker's job is taken over in about two seconds. */
const FAST: Pick<BullmqDrainQueueOptions, 'lockDurationMs' | 'stalledIntervalMs'> = { lockDurationMs: 1_000, stalledIntervalMs: 250 };
const bullmqOptions = (queueName: string): BullmqDrainQueueOptions => ({
  url: TEST_REDIS_URL,
  prefix: `autoheal:${runPrefix}bull`,
  queueName,
  concurrency: 1,
  ...FAST,
});

afterAll(async () => {
  const raw = new Redis(TEST_REDIS_URL);
  await deleteKeys(raw, runPrefix).finally(() => raw.quit());
});

describeDrainQueueContract('InProcessDrainQueue', async () => {
  const queue = new InProcessDrainQueue({ concurrency: 1 });
  return { queue, dispose: () => queue.close() };
});

describeDrainQueueContract('BullmqDrainQueue', async () => {
  const queue = new BullmqDrainQueue(bullmqOptions(`contract-${randomUUID()}`));
  return { queue, dispose: () => queue.close() };
});

describe('BullmqDrainQueue across workers', () => {
  const adapter = distFile('recovery/bullmq-drain-queue.adapter.js');
  // The doomed worker runs the built adapter in its own process, so SIGKILL is a real crash:
  // no close, no lock release, its Redis connections simply drop.
  const doomedWorker = `
    const { BullmqDrainQueue } = require(process.env.ADAPTER);
    const queue = new BullmqDrainQueue(JSON.parse(process.env.OPTIONS));
    queue.registerHandler(async (job) => {
      process.stdout.write('started ' + job.kind + '-' + job.id + '\\n');
      await new Promise(() => {});
    });`;

  beforeAll(() => {
    if (!existsSync(adapter)) throw new Error(`${adapter} is missing: run \`npm run build\` (npm test does it for you)`);
  });

  it('a job whose worker was killed mid-run is taken over by another worker and completes there, once', async () => {
    const options = bullmqOptions(`takeover-${randomUUID()}`);
    const producer = new BullmqDrainQueue(options);
    const survivor = new BullmqDrainQueue(options);
    const inspector = new Queue(options.queueName!, { connection: { url: TEST_REDIS_URL }, prefix: options.prefix });
    const child = spawn(process.execPath, ['-e', doomedWorker], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ADAPTER: adapter, OPTIONS: JSON.stringify(options) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    try {
      const incident = { kind: 'incident' as const, id: randomUUID() };
      await producer.enqueue(incident);
      await eventually(() => expect(output).toContain(`started incident-${incident.id}`), 20_000, 50);

      const completions: { id: string; startedAt: number }[] = [];
      survivor.registerHandler(async (job) => void completions.push({ id: `${job.kind}-${job.id}`, startedAt: Date.now() }));
      // The doomed worker still holds the job's lock: the survivor must leave it alone meanwhile.
      expect(await inspector.getJobCounts('active')).toEqual({ active: 1 });
      const killedAt = Date.now();
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      await eventually(() => expect(completions.map((c) => c.id)).toEqual([`incident-${incident.id}`]), 15_000, 50);
      expect(completions[0].startedAt).toBeGreaterThanOrEqual(killedAt);
      // Completed and removed: nothing left that could run it a second time, and its id is free again.
      await eventually(
        async () =>
          expect(await inspector.getJobCounts('wait', 'active', 'delayed', 'completed', 'failed')).toEqual({
            wait: 0,
            active: 0,
            delayed: 0,
            completed: 0,
            failed: 0,
          }),
        5_000,
        50,
      );
      expect(completions).toHaveLength(1);
      await producer.enqueue(incident);
      await eventually(() => expect(completions).toHaveLength(2), 10_000, 50);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all([producer.close(), survivor.close(), inspector.close()]);
    }
  });

  it('runs jobs queued on one instance on the workers of both, each exactly once', async () => {
    const options = { ...bullmqOptions(`shared-${randomUUID()}`), concurrency: 2 };
    const instances = [new BullmqDrainQueue(options), new BullmqDrainQueue(options)];
    const runs: string[] = [];
    try {
      for (const queue of instances) queue.registerHandler(async (job) => void runs.push(job.id));
      const ids = Array.from({ length: 12 }, () => randomUUID());
      for (const id of ids) await instances[0].enqueue({ kind: 'recovery', id });
      await eventually(() => expect([...runs].sort()).toEqual([...ids].sort()), 15_000, 50);
    } finally {
      await Promise.all(instances.map((queue) => queue.close()));
    }
  });
});
