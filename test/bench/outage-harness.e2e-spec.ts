import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { BullmqBaselineDispatcher } from '../../bench/outage/bullmq-dispatcher';
import { simulateDispatcher, spreadWebhooks } from '../../bench/outage/dispatcher-simulator';
import { FlakyReceiver, type Receipt } from '../../bench/outage/flaky-receiver';
import { postJson } from '../../bench/outage/http-post';
import { markdownTable, maxInWindow, measureOutage, missedGoals, resultTable } from '../../bench/outage/outage-report';
import { describeScaledRules, scaleRules } from '../../bench/outage/scaled-rules';
import { formatLength, parseLengths, parseMinutes, parseScale, TimeScale } from '../../bench/outage/time-scale';
import { DEFAULT_RULES } from '../../src/rules/rules.defaults';
import { validateRules } from '../../src/rules/rules.validation';
import { eventually } from '../utils/eventually';
import { TEST_REDIS_URL } from '../utils/pg-admin';
import { deleteKeys } from '../utils/redis-keys';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

describe('outage bench: time scale', () => {
  it('converts scenario minutes to real time and back', () => {
    const scale = parseScale('100ms');
    expect(scale.realMs(3)).toBe(300);
    expect(scale.scenarioMinutes(1500)).toBe(15);
    expect(scale.speedup).toBe(600);
    expect(scale.realSeconds(60)).toBeCloseTo(0.1);
    expect(parseScale('1s').realMsPerScenarioMinute).toBe(1000);
    expect(parseScale('250').realMsPerScenarioMinute).toBe(250);
  });

  it('reads outage lengths and refuses what is not a duration, naming the option', () => {
    expect(parseLengths('3m,30m,2h,10h')).toEqual([3, 30, 120, 600]);
    expect(parseLengths('90s,3m,3')).toEqual([1.5, 3]);
    expect(parseMinutes('1.5h')).toBe(90);
    expect(() => parseLengths('3m,soon')).toThrow(/^lengths: .*"soon"/);
    expect(() => parseScale('0ms')).toThrow(/^scale: /);
    expect(() => new TimeScale(-1)).toThrow(/^scale: /);
    expect([3, 30, 120, 600, 90].map(formatLength)).toEqual(['3 min', '30 min', '2 h', '10 h', '90 min']);
  });
});

describe('outage bench: scaled rules', () => {
  type Scaled = {
    detection: Record<string, number>;
    strategy_limits: Record<string, Record<string, number>>;
    approvals: { ttl_minutes: number };
  };

  it('compresses every duration of the service defaults, leaves the cycle guards and counts alone; the service accepts it', () => {
    const scale = parseScale('100ms');
    const scaled = scaleRules(DEFAULT_RULES, scale) as Scaled;
    expect(scaled.detection.recent_window_minutes).toBeCloseTo(5 / 600);
    expect(scaled.detection.baseline_window_minutes).toBeCloseTo(60 / 600);
    expect(scaled.detection).not.toHaveProperty('min_failures');
    expect(scaled.strategy_limits.REPLAY_RECENT.cooldown_minutes).toBeCloseTo(5 / 600);
    expect(scaled.strategy_limits.REPLAY_RECENT).not.toHaveProperty('max_deliveries');
    expect(scaled).not.toHaveProperty('cycle');
    expect(scaled.strategy_limits.RECOVER_BACKLOG).toEqual({
      probe_interval_seconds: 0.1,
      drain_rate_per_second: 20 * 600,
      max_backlog_age_hours: 72 / 600,
    });
    expect(scaled.approvals.ttl_minutes).toBeCloseTo(0.1);
    const rules = validateRules(scaled);
    expect(rules.detection.recent_window_minutes).toBeCloseTo(5 / 600);
    expect(rules.cycle).toEqual(DEFAULT_RULES.cycle);
    expect(describeScaledRules(DEFAULT_RULES, scaled)).toContain('detection.recent_window_minutes: 5 → 0.008333');
  });

  it('speeds rates up by the same factor as it shortens durations', () => {
    const scaled = scaleRules({ drain: { drain_rate_per_second: 20, probe_interval_seconds: 60, drain_concurrency: 4 } }, parseScale('1s'));
    expect(scaled).toEqual({ drain: { drain_rate_per_second: 1200, probe_interval_seconds: 1 } });
  });
});

describe('outage bench: FlakyReceiver', () => {
  let receiver: FlakyReceiver;
  afterEach(() => receiver?.stop());

  it('answers 503 with Retry-After inside its down window and 200 after it, counting receipts per webhook id', async () => {
    receiver = await new FlakyReceiver({ retryAfterSeconds: 7 }).start();
    receiver.goDown();
    const down = await postJson(receiver.url(), { webhook_id: 'a' });
    const downAgain = await postJson(receiver.url(), {}, { 'x-webhook-id': 'a' });
    expect([down.status, downAgain.status]).toEqual([503, 503]);
    receiver.recover();
    expect(receiver.recoveredAt).not.toBeNull();
    expect((await postJson(receiver.url(), {}, { 'x-aetherlink-delivery-id': 'a' })).status).toBe(200);
    expect((await postJson(receiver.url(), { webhook_id: 'a' })).status).toBe(200);
    expect((await postJson(receiver.url(), { webhook_id: 'b' })).status).toBe(200);
    expect((await postJson(receiver.url(), { no_id: true })).status).toBe(200);

    expect(receiver.receipts.map((r) => [r.id, r.status, r.whileDown, r.first])).toEqual([
      ['a', 503, true, true],
      ['a', 503, true, false],
      ['a', 200, false, false],
      ['a', 200, false, false],
      ['b', 200, false, true],
      [null, 200, false, false],
    ]);
    expect(receiver.acknowledged('a')).toHaveLength(2);
    expect([...receiver.delivered()].sort()).toEqual(['a', 'b']);
    expect(receiver.duplicates()).toBe(1);
    expect(receiver.resendsWhileDown().map((r) => r.id)).toEqual(['a']);
    expect(receiver.idsSeen).toBe(2);
  });

  it('sends Retry-After only while down, and is up outside a scheduled window', async () => {
    const now = Date.now();
    receiver = await new FlakyReceiver({ retryAfterSeconds: 3 }).start();
    receiver.downBetween(now + 60_000, now + 120_000);
    expect(receiver.isDown()).toBe(false);
    expect(receiver.isDown(now + 60_000)).toBe(true);
    expect(receiver.isDown(now + 120_000)).toBe(false);
    expect((await postJson(receiver.url(), { webhook_id: 'x' })).status).toBe(200);
    expect(receiver.receipts[0].whileDown).toBe(false);
    expect(() => receiver.downBetween(now, now - 1)).toThrow(/must not be before/);
  });

  it('records how many requests it holds at once', async () => {
    receiver = await new FlakyReceiver({ responseDelayMs: 300 }).start();
    await Promise.all(['c1', 'c2', 'c3'].map((id) => postJson(receiver.url(), { webhook_id: id })));
    await postJson(receiver.url(), { webhook_id: 'c4' });
    expect(receiver.maxConcurrency).toBe(3);
    expect(receiver.receipts.map((r) => r.concurrency).sort()).toEqual([1, 1, 2, 3]);
  });
});

describe('outage bench: measuring an outage', () => {
  const scale = new TimeScale(1000); // 1 scenario minute = 1 s real
  const downFrom = 1_000_000;
  const recoveredAt = downFrom + 10_000; // a 10-minute outage
  const receipt = (id: string, minute: number, first = false): Receipt => {
    const at = downFrom + minute * 1000;
    const whileDown = at < recoveredAt;
    return { id, at, status: whileDown ? 503 : 200, whileDown, first, concurrency: 1, headers: {} };
  };

  it('counts deliveries, losses, lateness, re-sends into the down endpoint and duplicates', () => {
    const receipts = [
      receipt('w1', 0, true),
      receipt('w2', 5, true),
      receipt('w3', 9, true),
      receipt('w1', 2), // re-sends while down: minutes 2, 2.5 and 7
      receipt('w2', 2.5),
      receipt('w1', 7),
      receipt('w1', 10.5), // +0.5 after recovery
      receipt('w2', 13), // +3: late
      receipt('w2', 14), // a duplicate
    ];
    const m = measureOutage(receipts, ['w1', 'w2', 'w3'], { downFrom, recoveredAt, probeIntervalMs: 1000, scale });
    expect(m).toMatchObject({ webhooks: 3, delivered: 2, lost: 1, duplicates: 1, resendsWhileDown: 3, firstAttemptsWhileUp: 0 });
    expect(m.firstAfterRecovery).toBeCloseTo(0.5);
    expect(m.lastAfterRecovery).toBeCloseTo(3);
    expect(m.late).toEqual([{ id: 'w2', minutes: 3 }]);
    expect(m.resendsPerWebhook).toBeCloseTo(1);
    expect(m.resendsPerProbeInterval.avg).toBeCloseTo(0.3);
    expect(m.resendsPerProbeInterval.max).toBe(2);
    expect(m.minResendGapSeconds).toBeCloseTo(30);
    expect(resultTable([{ outage: '10 min', dispatcher: 'x', metrics: m }])).toMatch(/\| 0\.30, 2 \(closest 30 s\) +\|/);
    expect(missedGoals(m)).toEqual([
      '1 lost',
      '1 duplicates',
      'last delivery 3.0 min after recovery',
      '2 sends into the down endpoint in one probe interval',
    ]);
  });

  it('calls a run invalid when a first attempt found the endpoint up', () => {
    const m = measureOutage([receipt('w1', 11, true)], ['w1'], { downFrom, recoveredAt, probeIntervalMs: 1000, scale });
    expect(m.firstAttemptsWhileUp).toBe(1);
    expect(missedGoals(m)[0]).toMatch(/^INVALID RUN: 1 first attempts found the endpoint up/);
  });

  it('finds the most events in any window of a given width', () => {
    expect(maxInWindow([], 10)).toBe(0);
    expect(maxInWindow([0, 10, 20, 30], 10)).toBe(1);
    expect(maxInWindow([0, 10, 19, 21, 40], 10)).toBe(2);
    expect(maxInWindow([0, 1, 2, 3, 50], 10)).toBe(4);
  });

  it('prints a markdown table, padded, one row per dispatcher and outage', () => {
    expect(markdownTable(['a', 'bb'], [['1', '22222']])).toBe('| a   | bb    |\n| --- | ----- |\n| 1   | 22222 |');
    expect(() => markdownTable(['a'], [['1', '2']])).toThrow(/a row has 2 cells, the header 1/);
    const window = { downFrom, recoveredAt, probeIntervalMs: 60_000, scale };
    const m = measureOutage([receipt('w1', 0, true), receipt('w1', 10.5)], ['w1'], window);
    const lines = resultTable([{ outage: '10 min', dispatcher: 'Auto-Heal', metrics: m }]).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\| outage +\| dispatcher +\| delivered +\| lost +\|/);
    const cells = lines[2].split('|').map((c) => c.trim());
    expect(cells).toEqual(['', '10 min', 'Auto-Heal', '1/1', '0', '0.5', '0.5', '0.00', '0.00, 0', '0', 'none', '']);
  });
});

describe('outage bench: dispatcher simulator against the service', () => {
  let db: TestDatabase;
  let t: TestApp;
  let receiver: FlakyReceiver;
  let baseUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp({ env: { DATABASE_URL: db.url } });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    receiver = await new FlakyReceiver().start();
  });
  afterAll(async () => {
    await receiver?.stop();
    await t?.close();
    await db?.drop();
  });

  it('makes one attempt per webhook on schedule and reports each outcome to POST /deliveries', async () => {
    receiver.goDown();
    const webhooks = spreadWebhooks(12, 600, 'sim');
    expect(webhooks.map((w) => w.dueMs)).toEqual(Array.from({ length: 12 }, (_, i) => i * 50));
    const started = Date.now();
    const service = { baseUrl, ingestToken: t.token('ingest') };
    const run = await simulateDispatcher({ webhooks, target: receiver.url(), tenantId: 'tenant-sim', service, reportEveryMs: 20 });

    expect(run.attempts.map((a) => [a.id, a.status])).toEqual(webhooks.map((w) => [w.id, 503]));
    expect(run.attempts.every((a, i) => a.sentAt >= started + webhooks[i].dueMs)).toBe(true);
    expect(receiver.receipts.map((r) => r.id).sort()).toEqual(webhooks.map((w) => w.id));
    expect(receiver.receipts.every((r) => r.first && r.whileDown)).toBe(true);

    const authorization = `Bearer ${t.token('admin')}`;
    const stored = await fetch(`${baseUrl}/deliveries?tenant_id=tenant-sim&limit=100`, { headers: { authorization } });
    const deliveries = (await stored.json()) as Array<{ id: string; status: string; http_status: number; target: string }>;
    expect(deliveries.map((d) => d.id).sort()).toEqual(webhooks.map((w) => w.id));
    expect(deliveries.every((d) => d.status === 'failed' && d.http_status === 503 && d.target === receiver.url())).toBe(true);
  });

  it('rejects when the service refuses a report', async () => {
    const webhooks = spreadWebhooks(1, 0, 'refused');
    const viewer = { baseUrl, ingestToken: t.token('viewer') };
    await expect(simulateDispatcher({ webhooks, target: receiver.url(), tenantId: 'tenant-sim', service: viewer })).rejects.toThrow(
      /POST \/deliveries answered 403/,
    );
  });
});

describe('outage bench: BullMQ baseline', () => {
  const prefix = `autoheal:bench-test-${process.pid}-${Date.now()}`;
  let redis: Redis;
  let receiver: FlakyReceiver;
  let baseline: BullmqBaselineDispatcher | undefined;

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL);
  });
  beforeEach(async () => {
    receiver = await new FlakyReceiver().start();
  });
  afterEach(async () => {
    await baseline?.close();
    baseline = undefined;
    await receiver.stop();
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix.slice('autoheal:'.length));
    await redis.quit();
  });

  it('retries each webhook with exponential backoff until the endpoint is back, delivering each once', async () => {
    baseline = new BullmqBaselineDispatcher({ redisUrl: TEST_REDIS_URL, prefix: `${prefix}-a`, baseDelayMs: 100, attempts: 10 });
    await baseline.ready();
    expect(baseline.retrySpanMs).toBe(100 * 511);
    const start = Date.now();
    receiver.downBetween(start, start + 1200);
    const webhooks = spreadWebhooks(5, 100, 'mq');
    await baseline.dispatch(webhooks, receiver.url(), start);
    await eventually(() => expect(baseline!.settled(5)).toBe(true), 30_000);

    expect(baseline.progress()).toEqual({ added: 5, delivered: 5, exhausted: 0 });
    expect(receiver.delivered().size).toBe(5);
    expect(receiver.duplicates()).toBe(0);
    for (const { id } of webhooks) {
      const times = receiver.receipts.filter((r) => r.id === id).map((r) => r.at);
      const gaps = times.slice(1).map((at, i) => at - times[i]);
      // 100, 200, 400, 800 ms: each wait at least the backoff, and each longer than the one before.
      expect(gaps.length).toBeGreaterThanOrEqual(3);
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(100 * 2 ** i - 5));
    }
    expect(receiver.resendsWhileDown().length).toBeGreaterThanOrEqual(10);
  });

  it('gives a webhook up after its last attempt', async () => {
    baseline = new BullmqBaselineDispatcher({ redisUrl: TEST_REDIS_URL, prefix: `${prefix}-b`, baseDelayMs: 20, attempts: 3 });
    await baseline.ready();
    receiver.goDown();
    await baseline.dispatch(spreadWebhooks(2, 0, 'gone'), receiver.url());
    await eventually(() => expect(baseline!.settled(2)).toBe(true), 30_000);
    expect(baseline.progress()).toEqual({ added: 2, delivered: 0, exhausted: 2 });
    expect(receiver.receipts.filter((r) => r.id === 'gone_0001')).toHaveLength(3);
  });
});
