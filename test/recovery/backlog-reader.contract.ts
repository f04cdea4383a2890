import type { ManualClock } from '../../src/clock/clock';
import type { DeliveryStore } from '../../src/deliveries/delivery-store.port';
import type { BacklogDelivery, BacklogFilter } from '../../src/recovery/backlog';
import type { BacklogReader } from '../../src/recovery/backlog-reader.port';

export interface BacklogReaderUnderTest {
  reader: BacklogReader;
  /** Where the deliveries the reader reads are reported. */
  deliveries: DeliveryStore;
  /** Claims the delivery's current attempt, as a replay claim would. */
  claim(id: string): Promise<void>;
  clock: ManualClock;
  dispose(): Promise<void>;
}

const now = new Date('2030-01-01T12:00:00.000Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

/** The behaviour every BacklogReader adapter must share; run once per adapter. */
export function describeBacklogReaderContract(name: string, factory: () => Promise<BacklogReaderUnderTest>): void {
  describe(`BacklogReader contract: ${name}`, () => {
    let subject: BacklogReaderUnderTest;
    let tenant = 0;
    let t: string;
    const A = 'https://a.example.com/hook';
    const B = 'https://b.example.com/hook';

    const report = (
      id: string,
      target: string,
      createdMinutesAgo: number,
      status: 'failed' | 'dead_letter' | 'delivered' = 'failed',
      httpStatus = 503,
    ) =>
      subject.deliveries.upsertBatch(
        [
          {
            id: `${t}-${id}`,
            tenant_id: t,
            target,
            status,
            http_status: httpStatus,
            error: status === 'delivered' ? null : `HTTP ${httpStatus}`,
            created_at: minutesAgo(createdMinutesAgo),
            attempted_at: minutesAgo(createdMinutesAgo),
          },
        ],
        'dispatcher',
      );
    const drainAll = async (filter: BacklogFilter, pageSize: number): Promise<BacklogDelivery[][]> => {
      const source = subject.reader.source(filter);
      const pages: BacklogDelivery[][] = [];
      for (let page = await source.next(pageSize); page.length > 0; page = await source.next(pageSize)) pages.push(page);
      return pages;
    };
    const ids = (items: BacklogDelivery[]) => items.map((d) => d.id.slice(t.length + 1));
    const filter = (extra: Partial<BacklogFilter> = {}): BacklogFilter => ({ tenantId: t, since: minutesAgo(120), ...extra });

    beforeAll(async () => {
      subject = await factory();
      subject.clock.set(now);
    });
    afterAll(() => subject?.dispose());
    beforeEach(async () => {
      t = `tenant_${++tenant}`;
      await report('a1', A, 50);
      await report('b1', B, 45, 'dead_letter', 400);
      await report('a2', A, 40);
      await report('a3', A, 30, 'failed', 429);
      await report('b2', B, 20);
      await report('ok', A, 35, 'delivered', 200);
      await report('old', A, 200);
      await subject.deliveries.upsertBatch(
        [
          {
            id: `other-${tenant}`,
            tenant_id: `other_${tenant}`,
            target: A,
            status: 'failed',
            http_status: 503,
            created_at: minutesAgo(10),
          },
        ],
        'dispatcher',
      );
    });

    it('hands out the backlog oldest first across endpoints, page by page, never twice', async () => {
      const pages = await drainAll(filter(), 2);
      expect(pages.map(ids)).toEqual([['a1', 'b1'], ['a2', 'a3'], ['b2']]);
      expect(pages[0][0]).toEqual({ id: `${t}-a1`, tenantId: t, endpoint: A, createdAt: minutesAgo(50) });
    });

    it('leaves claimed deliveries out, also when claimed between pages', async () => {
      await subject.claim(`${t}-a2`);
      const source = subject.reader.source(filter());
      expect(ids(await source.next(1))).toEqual(['a1']);
      await subject.claim(`${t}-a3`);
      expect(ids(await source.next(10))).toEqual(['b1', 'b2']);
      expect(await source.next(10)).toEqual([]);
    });

    it('orders deliveries created at the same moment by id', async () => {
      await report('z-same', B, 60);
      await report('m-same', A, 60);
      expect(ids((await drainAll(filter({ until: minutesAgo(55) }), 1)).flat())).toEqual(['m-same', 'z-same']);
    });

    it('narrows by endpoint, until, status, triage label and age', async () => {
      expect(ids((await drainAll(filter({ endpoint: B }), 10)).flat())).toEqual(['b1', 'b2']);
      expect(ids((await drainAll(filter({ until: minutesAgo(40) }), 10)).flat())).toEqual(['a1', 'b1']);
      expect(ids((await drainAll(filter({ statuses: ['dead_letter'] }), 10)).flat())).toEqual(['b1']);
      expect(ids((await drainAll(filter({ triageLabels: ['rate_limited'] }), 10)).flat())).toEqual(['a3']);
      expect(ids((await drainAll(filter({ maxAgeHours: 0.5 }), 10)).flat())).toEqual(['a3', 'b2']);
      expect(ids((await drainAll(filter({ since: minutesAgo(300) }), 10)).flat())).toEqual(['old', 'a1', 'b1', 'a2', 'a3', 'b2']);
    });

    it('stops at maxDeliveries', async () => {
      expect((await drainAll(filter({ maxDeliveries: 3 }), 2)).map(ids)).toEqual([['a1', 'b1'], ['a2']]);
    });

    it('plans per endpoint, oldest endpoint first, with the same exclusions and a capped total', async () => {
      await subject.claim(`${t}-a2`);
      expect(await subject.reader.plan(filter())).toEqual({
        perEndpoint: [
          { endpoint: A, count: 2, oldestAt: minutesAgo(50), newestAt: minutesAgo(30) },
          { endpoint: B, count: 2, oldestAt: minutesAgo(45), newestAt: minutesAgo(20) },
        ],
        total: 4,
      });
      expect((await subject.reader.plan(filter({ maxDeliveries: 3 }))).total).toBe(3);
      expect(await subject.reader.plan(filter({ tenantId: 'nobody' }))).toEqual({ perEndpoint: [], total: 0 });
    });
  });
}
