import { ThrottleRecordStore } from '../../src/throttles/throttle-record-store.port';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
const throttle = (tenant: string, untilMinutes: number, createdMinutes = 0) => ({
  tenant_id: tenant,
  factor: 0.5,
  until: minutes(untilMinutes),
  reason: 'flood',
  set_by: 'system:autoheal',
  created_at: minutes(createdMinutes),
  incident_id: null,
});

/** The behaviour both ThrottleRecordStore adapters share; each call gets a fresh, empty store. */
export function describeThrottleRecordStoreContract(name: string, factory: () => Promise<ThrottleRecordStore>): void {
  describe(`ThrottleRecordStore contract: ${name}`, () => {
    let store: ThrottleRecordStore;
    beforeEach(async () => {
      store = await factory();
    });

    it('records a throttle and lists the active ones, soonest end first, narrowed by tenant', async () => {
      const a = await store.record(throttle('a', 30));
      await store.record(throttle('b', 10));
      expect(a).toMatchObject({ tenant_id: 'a', factor: 0.5, until: minutes(30), lifted_at: null, id: expect.any(String) });
      expect((await store.active(NOW)).map((t) => t.tenant_id)).toEqual(['b', 'a']);
      expect((await store.active(NOW, ['a'])).map((t) => t.tenant_id)).toEqual(['a']);
      expect(await store.active(minutes(31))).toEqual([]);
    });

    it("a tenant's new throttle supersedes its active one", async () => {
      await store.record(throttle('a', 30));
      await store.record({ ...throttle('a', 60, 5), factor: 0.25 });
      expect(await store.active(minutes(6))).toEqual([expect.objectContaining({ tenant_id: 'a', factor: 0.25, until: minutes(60) })]);
    });

    it('lifts the active throttle once, recording who', async () => {
      await store.record(throttle('a', 30));
      expect(await store.lift('a', 'bob', minutes(1))).toBe(true);
      expect(await store.lift('a', 'bob', minutes(2))).toBe(false);
      expect(await store.lift('nobody', 'bob', minutes(2))).toBe(false);
      expect(await store.active(minutes(1))).toEqual([]);
    });
  });
}
