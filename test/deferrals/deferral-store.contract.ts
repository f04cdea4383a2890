import { endpointKey } from '../../src/common/endpoint-key';
import { DeferralStore } from '../../src/deferrals/deferral-store.port';

export interface DeferralStoreUnderTest {
  store: DeferralStore;
  dispose(): Promise<void>;
}

const NOW = new Date('2026-11-27T12:00:00.000Z');
const later = (s: number) => new Date(NOW.getTime() + s * 1000);
const A = 'https://a.example.com/hook';
const B = 'https://b.example.com/hook';

/** The behaviour every DeferralStore adapter must share; each test starts with no active run. */
export function describeDeferralStoreContract(name: string, factory: () => Promise<DeferralStoreUnderTest>): void {
  describe(`DeferralStore contract: ${name}`, () => {
    let subject: DeferralStoreUnderTest;
    let store: DeferralStore;

    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
    });
    beforeEach(async () => {
      for (const deferral of (await store.active()).values()) await store.close(deferral.tenant_id, deferral.endpoint, 'cleared');
    });
    afterAll(() => subject?.dispose());

    it('starts a run at 1 and counts on while it is active', async () => {
      expect(await store.record('t1', A, NOW, later(120))).toEqual({
        tenant_id: 't1',
        endpoint: A,
        deferrals: 1,
        first_deferred_at: NOW,
        last_deferred_at: NOW,
        recheck_at: later(120),
        notified_at: null,
        status: 'active',
      });
      const second = await store.record('t1', A, later(120), later(240));
      expect(second).toMatchObject({
        deferrals: 2,
        first_deferred_at: NOW,
        last_deferred_at: later(120),
        recheck_at: later(240),
        status: 'active',
      });
      expect(await store.active()).toEqual(new Map([[endpointKey('t1', A), second]]));
    });

    it('keeps tenants and endpoints apart', async () => {
      await store.record('t1', A, NOW, later(60));
      await store.record('t2', A, NOW, later(60));
      await store.record('t1', B, NOW, later(60));
      await store.record('t1', A, NOW, later(60));
      const counts = [...(await store.active()).entries()].map(([key, d]) => [key, d.deferrals]);
      expect(counts.sort()).toEqual(
        [
          [endpointKey('t1', A), 2],
          [endpointKey('t1', B), 1],
          [endpointKey('t2', A), 1],
        ].sort(),
      );
    });

    it('remembers the alert within a run; a closed run ends, and the next starts afresh', async () => {
      await store.record('t1', A, NOW, later(60));
      await store.markNotified('t1', A, later(1));
      expect((await store.record('t1', A, later(60), later(120))).notified_at).toEqual(later(1));
      await store.close('t1', A, 'escalated');
      expect(await store.active()).toEqual(new Map());
      expect(await store.record('t1', A, later(200), later(260))).toMatchObject({
        deferrals: 1,
        first_deferred_at: later(200),
        notified_at: null,
      });
    });

    it('names the earliest pending recheck, and postpones only the due ones', async () => {
      expect(await store.nextRecheckAt()).toBeNull();
      await store.record('t1', A, NOW, later(60));
      await store.record('t1', B, NOW, later(300));
      expect(await store.nextRecheckAt()).toEqual(later(60));
      await store.postponeDue(later(100), later(220));
      const active = await store.active();
      expect(active.get(endpointKey('t1', A))?.recheck_at).toEqual(later(220));
      expect(active.get(endpointKey('t1', B))?.recheck_at).toEqual(later(300));
      expect(await store.nextRecheckAt()).toEqual(later(220));
      await store.close('t1', A, 'cleared');
      expect(await store.nextRecheckAt()).toEqual(later(300));
    });
  });
}
