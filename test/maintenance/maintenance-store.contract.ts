import { MaintenanceStore } from '../../src/maintenance/maintenance-store.port';

export interface MaintenanceStoreUnderTest {
  store: MaintenanceStore;
  dispose(): Promise<void>;
}

const NOW = new Date('2026-11-27T12:00:00.000Z');
const inMinutes = (m: number) => new Date(NOW.getTime() + m * 60_000);

/** The behaviour every MaintenanceStore adapter must share; run once per adapter. */
export function describeMaintenanceStoreContract(name: string, factory: () => Promise<MaintenanceStoreUnderTest>): void {
  describe(`MaintenanceStore contract: ${name}`, () => {
    let subject: MaintenanceStoreUnderTest;
    let store: MaintenanceStore;
    let run = 0;
    // Endpoints unique per test, so tests sharing one store do not see each other.
    let url = (path: string) => path;
    const ours = async (now: Date) => [...(await store.active(now)).entries()].filter(([endpoint]) => endpoint.startsWith(url('')));

    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
    });
    beforeEach(() => {
      const prefix = `https://m${++run}.example.com/`;
      url = (path: string) => prefix + path;
    });
    afterAll(() => subject?.dispose());

    it('keeps a window until it ends, keyed by endpoint', async () => {
      const window = await store.set(url('a'), inMinutes(30), 'migration', 'oncall-bob', NOW);
      expect(window).toEqual({ endpoint: url('a'), reason: 'migration', until: inMinutes(30), set_by: 'oncall-bob', created_at: NOW });
      expect(await ours(NOW)).toEqual([[url('a'), window]]);
      expect(await ours(inMinutes(29))).toHaveLength(1);
      expect(await ours(inMinutes(30))).toEqual([]);
    });

    it("replaces an endpoint's window when set again", async () => {
      await store.set(url('a'), inMinutes(30), 'migration', 'oncall-bob', NOW);
      const replaced = await store.set(url('a'), inMinutes(5), null, 'admin-carol', inMinutes(1));
      expect(await ours(NOW)).toEqual([[url('a'), replaced]]);
      expect(replaced).toEqual({ endpoint: url('a'), reason: null, until: inMinutes(5), set_by: 'admin-carol', created_at: inMinutes(1) });
    });

    it('lists windows soonest end first', async () => {
      await store.set(url('late'), inMinutes(60), null, 'bob', NOW);
      await store.set(url('soon'), inMinutes(10), null, 'bob', NOW);
      await store.set(url('mid'), inMinutes(30), null, 'bob', NOW);
      expect((await ours(NOW)).map(([endpoint]) => endpoint)).toEqual([url('soon'), url('mid'), url('late')]);
    });

    it('clears a window once, and says whether there was one', async () => {
      await store.set(url('a'), inMinutes(30), null, 'bob', NOW);
      expect(await store.clear(url('a'))).toBe(true);
      expect(await store.clear(url('a'))).toBe(false);
      expect(await ours(NOW)).toEqual([]);
    });
  });
}
