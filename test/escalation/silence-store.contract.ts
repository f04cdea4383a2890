import { ManualClock } from '../../src/clock/clock';
import { RecordingNotifier } from '../../src/escalation/recording-notifier.adapter';
import { SilenceStore } from '../../src/escalation/silence-store.port';
import { SilencingNotifier } from '../../src/escalation/silencing-notifier';
import { AutohealMetrics } from '../../src/metrics/autoheal-metrics.service';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const silenceOf = (
  tenant = 't1',
  signature = 'timeout after <n>ms',
  overrides: { maxOccurrences?: number; dedupWindowSeconds?: number } = {},
) => ({
  signature,
  tenantId: tenant,
  now: NOW,
  durationMinutes: 15,
  dedupWindowSeconds: overrides.dedupWindowSeconds ?? 300,
  maxOccurrences: overrides.maxOccurrences ?? 10,
  createdBy: 'system:autoheal',
  comment: 'duplicates',
  incidentId: null,
});

async function suppressedTotal(metrics: AutohealMetrics): Promise<number> {
  const metric = await metrics.registry.getSingleMetric('autoheal_notifications_suppressed_total')!.get();
  return metric.values[0]?.value ?? 0;
}

/** The behaviour both SilenceStore adapters share, and the notifier over each; every test gets a fresh store. */
export function describeSilenceStoreContract(name: string, factory: () => Promise<SilenceStore>): void {
  describe(`SilenceStore contract: ${name}`, () => {
    let store: SilenceStore;
    beforeEach(async () => {
      store = await factory();
    });

    it('creates a 15-minute silence, matches it by tenant and signature while active, lists it newest first', async () => {
      const silence = await store.create(silenceOf());
      expect(silence).toMatchObject({
        tenant_id: 't1',
        ends_at: at(900),
        occurrences: 0,
        suppressed: 0,
        escalated_at: null,
        expired_at: null,
      });
      expect((await store.match('t1', 'timeout after <n>ms', at(899)))?.id).toBe(silence.id);
      expect(await store.match('t1', 'timeout after <n>ms', at(900))).toBeNull();
      expect(await store.match('t2', 'timeout after <n>ms', at(1))).toBeNull();
      expect(await store.match('t1', 'http <n>', at(1))).toBeNull();
      const other = await store.create({ ...silenceOf('t2'), now: at(1) });
      expect((await store.list({ now: at(2), limit: 10 })).map((s) => s.id)).toEqual([other.id, silence.id]);
      expect((await store.list({ now: at(2), tenants: ['t1'], limit: 10 })).map((s) => s.id)).toEqual([silence.id]);
      expect(await store.list({ now: at(901), status: 'active', limit: 10 })).toEqual([]);
      expect((await store.list({ now: at(901), status: 'expired', limit: 10 })).map((s) => s.id)).toEqual([other.id, silence.id]);
      expect((await store.list({ now: at(900), status: 'expired', limit: 10 })).map((s) => s.id)).toEqual([silence.id]);
    });

    it('counts pages of one endpoint inside the dedup window once; the max_occurrences-th escalates, once', async () => {
      const { id } = await store.create(silenceOf('t1', 'timeout after <n>ms', { maxOccurrences: 3, dedupWindowSeconds: 300 }));
      expect(await store.countOccurrence(id, 'https://a/1', at(0))).toMatchObject({ counted: true, escalate: false });
      expect(await store.countOccurrence(id, 'https://a/1', at(299))).toMatchObject({ counted: false, escalate: false });
      expect(await store.countOccurrence(id, 'https://a/2', at(300))).toMatchObject({ counted: true, escalate: false });
      const third = await store.countOccurrence(id, 'https://a/1', at(300));
      expect(third).toMatchObject({ counted: true, escalate: true, silence: { occurrences: 3, suppressed: 3, escalated_at: at(300) } });
      expect(await store.countOccurrence(id, 'https://a/3', at(301))).toMatchObject({
        counted: true,
        escalate: false,
        silence: { occurrences: 4 },
      });
      expect(await store.countOccurrence(id, 'https://a/3', at(901))).toBeNull();
    });

    it('expires a silence once (an operator DELETE); an expired one matches nothing', async () => {
      const { id } = await store.create(silenceOf());
      expect(await store.expire(id, 'bob', at(10))).toBe(true);
      expect(await store.expire(id, 'bob', at(11))).toBe(false);
      expect(await store.expire('00000000-0000-4000-8000-000000000000', 'bob', at(11))).toBe(false);
      expect(await store.match('t1', 'timeout after <n>ms', at(12))).toBeNull();
      expect(await store.get(id)).toMatchObject({ expired_at: at(10), expired_by: 'bob' });
      expect(await store.countOccurrence(id, 'x', at(12))).toBeNull();
    });

    it('the notifier honours it: matching pages are suppressed and counted, one escalation at max_occurrences, others go out', async () => {
      const channel = new RecordingNotifier();
      const metrics = new AutohealMetrics();
      const clock = new ManualClock(NOW);
      const notifier = new SilencingNotifier(channel, store, metrics, clock);
      const silence = await store.create(silenceOf('t1', 'timeout after <n>ms', { maxOccurrences: 3 }));
      const page = (endpoint: string, signature = 'timeout after <n>ms', tenant = 't1') =>
        notifier.notify({
          title: `Auto-heal escalation: ${endpoint}`,
          text: 'x',
          severity: 'warning',
          tenant_id: tenant,
          endpoint,
          signature,
        });

      await page('https://a/1');
      await page('https://a/2');
      expect(channel.sent).toEqual([]);
      expect(await suppressedTotal(metrics)).toBe(2);
      await page('https://a/3');
      expect(channel.sent).toEqual([
        expect.objectContaining({
          title: 'Silenced error keeps recurring: Auto-heal escalation: https://a/3',
          severity: 'critical',
          fields: expect.objectContaining({ silence_id: silence.id, occurrences: '3' }),
        }),
      ]);
      await page('https://a/4');
      expect(channel.sent).toHaveLength(1);
      expect(await suppressedTotal(metrics)).toBe(3);

      await page('https://a/1', 'http <n>');
      await page('https://a/1', 'timeout after <n>ms', 't2');
      await notifier.notify({ title: 'no signature', text: 'x', severity: 'info', tenant_id: 't1' });
      expect(channel.sent.map((n) => n.title)).toEqual([
        'Silenced error keeps recurring: Auto-heal escalation: https://a/3',
        'Auto-heal escalation: https://a/1',
        'Auto-heal escalation: https://a/1',
        'no signature',
      ]);
      clock.set(at(900));
      await page('https://a/9');
      expect(channel.sent.at(-1)?.title).toBe('Auto-heal escalation: https://a/9');
    });
  });
}
