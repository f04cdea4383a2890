import { ManualClock } from '../clock/clock';
import { MemoryDeliveryStore } from '../deliveries/memory-delivery-store.adapter';
import { MemoryReplayLedger } from '../replay/memory-replay-ledger.adapter';
import { answerWithStatus, RecordingReplayer } from '../replay/recording-replayer.adapter';
import { TargetGuard } from '../replay/target-guard';
import type { BacklogDelivery } from './backlog';
import { DrainSendEvent, LedgerDrainSender } from './ledger-drain-sender';

describe('LedgerDrainSender', () => {
  const clock = new ManualClock(new Date('2026-03-01T12:00:00.000Z'));
  const run = { actor: 'operator:alice', runId: '6f1c2f0e-8a4b-4c1e-9d55-0a5b7d1e2f3a', startedAt: clock.now() };
  const target = 'https://hooks.example.com/in';
  let deliveries: MemoryDeliveryStore;
  let ledger: MemoryReplayLedger;
  let replayer: RecordingReplayer;
  let events: DrainSendEvent[];
  let sender: LedgerDrainSender;
  let resolved: string[];

  const item = (id: string, endpoint = target): BacklogDelivery => ({ id, tenantId: 'acme', endpoint, createdAt: clock.now() });
  const seed = (id: string, to = target) =>
    deliveries.upsertBatch(
      [{ id, tenant_id: 'acme', target: to, status: 'failed', http_status: 503, error: 'HTTP 503', payload: { id } }],
      'dispatcher',
    );

  beforeEach(() => {
    deliveries = new MemoryDeliveryStore(clock);
    ledger = new MemoryReplayLedger(deliveries);
    replayer = new RecordingReplayer();
    events = [];
    resolved = [];
    const guard = new TargetGuard({ allowPrivateTargets: false }, async (host) => {
      resolved.push(host);
      return [{ address: host.startsWith('internal') ? '10.0.0.7' : '93.184.216.34', family: 4 }];
    });
    sender = new LedgerDrainSender({ ledger, replayer, guard, clock }, run, (event) => void events.push(event));
  });

  it('claims, sends and settles: a 2xx is delivered and the attempt names the run and the actor', async () => {
    await seed('d1');
    expect(await sender.send(item('d1'))).toEqual({ outcome: 'delivered', httpStatus: 200 });
    expect(replayer.requests.map((r) => r.deliveryId)).toEqual(['d1']);
    expect(ledger.attemptsOf('d1')).toEqual([
      expect.objectContaining({ outcome: 'succeeded', actor: 'operator:alice', cycle_id: run.runId }),
    ]);
    expect(events).toEqual([{ item: item('d1'), result: { outcome: 'delivered', httpStatus: 200 }, attemptId: expect.any(String) }]);
  });

  it('a refused claim is skipped and never sent', async () => {
    await seed('d2');
    await sender.send(item('d2'));
    replayer.reset();
    expect(await sender.send(item('d2'))).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/claim refused/) });
    expect(await sender.send(item('unknown'))).toMatchObject({ outcome: 'skipped' });
    expect(replayer.requests).toHaveLength(0);
  });

  it('maps Retry-After (seconds or a date) and timeouts for the pacing', async () => {
    await seed('d3');
    await seed('d4');
    await seed('d5');
    replayer.respondWith(answerWithStatus(429, { retryAfter: '2.5' }));
    expect(await sender.send(item('d3'))).toEqual({ outcome: 'failed', httpStatus: 429, retryAfterMs: 2_500 });
    replayer.respondWith(answerWithStatus(503, { retryAfter: new Date(clock.now().getTime() + 30_000).toUTCString() }));
    expect(await sender.send(item('d4'))).toEqual({ outcome: 'failed', httpStatus: 503, retryAfterMs: 30_000 });
    const timeout = 'timeout: no response within 5000 ms';
    replayer.respondWith(() => ({ ok: false, httpStatus: null, error: timeout, durationMs: 5000, timedOut: true }));
    expect(await sender.send(item('d5'))).toEqual({ outcome: 'failed', timedOut: true });
  });

  it('checks the target before claiming: a refused target is skipped with why, unclaimed, asked about once per run', async () => {
    const internal = 'https://internal.example.com/in';
    await seed('d6', internal);
    await seed('d7', internal);
    const refused = { outcome: 'skipped', reason: expect.stringMatching(/^target refused: .*10\.0\.0\.7/) };
    expect(await sender.send(item('d6', internal))).toEqual(refused);
    expect(await sender.send(item('d7', internal))).toMatchObject({ outcome: 'skipped' });
    expect(resolved).toEqual(['internal.example.com']);
    expect(ledger.attemptsOf('d6')).toEqual([]);
    expect(replayer.requests).toHaveLength(0);
  });
});
