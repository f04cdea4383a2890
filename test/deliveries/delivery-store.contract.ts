import { ManualClock } from '../../src/clock/clock';
import { endpointKey } from '../../src/common/endpoint-key';
import { DeliveryOutcome, DeliveryStore } from '../../src/deliveries/delivery-store.port';
import { replayKeyFor } from '../../src/replay/replay-key';

export interface DeliveryStoreUnderTest {
  store: DeliveryStore;
  clock: ManualClock;
  /** Leaves what a replay claim on the delivery's current attempt leaves in the adapter's ledger. */
  leaveReplayClaim(deliveryId: string, outcome: 'pending' | 'abandoned' | 'succeeded' | 'failed'): Promise<void>;
  dispose(): Promise<void>;
}

const A = 'https://a.example.com/hook';
const B = 'https://b.example.com/hook';

/** The behaviour every DeliveryStore adapter must share; run once per adapter. */
export function describeDeliveryStoreContract(name: string, factory: () => Promise<DeliveryStoreUnderTest>): void {
  describe(`DeliveryStore contract: ${name}`, () => {
    let subject: DeliveryStoreUnderTest;
    let store: DeliveryStore;
    let run = 0;
    // Ids unique per test, so tests sharing one store do not see each other.
    let p = '';
    const item = (id: string, fields: Partial<DeliveryOutcome> = {}): DeliveryOutcome => ({
      id: p + id,
      tenant_id: p + 'tenant',
      target: A,
      status: 'failed',
      http_status: 503,
      ...fields,
    });

    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
    });
    beforeEach(() => {
      p = `c${++run}-`;
      subject.clock.set(new Date('2025-06-01T12:00:00.000Z'));
    });
    afterAll(() => subject?.dispose());

    it('counts inserts and updates, and never duplicates an id', async () => {
      expect(await store.upsertBatch([item('1'), item('2', { status: 'pending', http_status: null })], 'd')).toEqual({
        inserted: 2,
        updated: 0,
      });
      expect(await store.upsertBatch([item('2', { status: 'delivered', http_status: 200 }), item('3')], 'd')).toEqual({
        inserted: 1,
        updated: 1,
      });
      const listed = await store.list({ tenant_id: p + 'tenant', limit: 10 });
      expect(listed.map((d) => d.id).sort()).toEqual([p + '1', p + '2', p + '3']);
      expect(listed.find((d) => d.id === p + '2')).toMatchObject({ status: 'delivered', http_status: 200, attempts: 1 });
    });

    it('labels failures on the way in and clears the label when delivered', async () => {
      await store.upsertBatch([item('t', { http_status: 429 })], 'd');
      expect(await store.findById(p + 't')).toMatchObject({ triage_label: 'rate_limited', triage_score: 0.95 });
      await store.upsertBatch([item('t', { status: 'delivered', http_status: 200 })], 'd');
      expect(await store.findById(p + 't')).toMatchObject({ triage_label: null, triage_score: null });
    });

    it('records one dispatcher attempt per (id, attempted_at), newest first, with the actor', async () => {
      const first = new Date('2025-06-01T11:00:00.000Z');
      const second = new Date('2025-06-01T11:30:00.000Z');
      await store.upsertBatch([item('a', { attempted_at: first, error: 'socket hang up', http_status: null })], 'dispatcher-7');
      await store.upsertBatch([item('a', { attempted_at: first, error: 'socket hang up', http_status: null })], 'dispatcher-7');
      await store.upsertBatch([item('a', { attempted_at: second, status: 'delivered', http_status: 204 })], 'dispatcher-7');
      await store.upsertBatch([item('a', { status: 'pending', http_status: null })], 'dispatcher-7');
      const found = (await store.findById(p + 'a'))!;
      // A `pending` report after recorded attempts is stale: it does not undo the delivered outcome.
      expect(found).toMatchObject({ attempts: 2, last_attempt_at: second, status: 'delivered' });
      expect(found.attempt_history.map((a) => [a.attempted_at, a.outcome, a.source, a.actor, a.http_status, a.error])).toEqual([
        [second, 'succeeded', 'dispatcher', 'dispatcher-7', 204, null],
        [first, 'failed', 'dispatcher', 'dispatcher-7', null, 'socket hang up'],
      ]);
    });

    it('stamps created_at, updated_at and a missing attempted_at with the clock, and keeps created_at', async () => {
      await store.upsertBatch([item('c')], 'd');
      subject.clock.advance(5_000);
      await store.upsertBatch([item('c', { created_at: new Date('2020-01-01T00:00:00Z') })], 'd');
      expect(await store.findById(p + 'c')).toMatchObject({
        created_at: new Date('2025-06-01T12:00:00.000Z'),
        updated_at: new Date('2025-06-01T12:00:05.000Z'),
        last_attempt_at: new Date('2025-06-01T12:00:05.000Z'),
        attempts: 2,
      });
    });

    it('keeps payload, headers and event_type a re-post leaves out, and replaces them when given', async () => {
      await store.upsertBatch([item('p', { payload: { v: 1 }, headers: { 'x-a': '1' }, event_type: 'e1' })], 'd');
      await store.upsertBatch([item('p', { status: 'delivered' })], 'd');
      expect(await store.findById(p + 'p')).toMatchObject({ payload: { v: 1 }, headers: { 'x-a': '1' }, event_type: 'e1' });
      await store.upsertBatch([item('p', { payload: [2], headers: { 'x-b': '2' }, event_type: 'e2' })], 'd');
      expect(await store.findById(p + 'p')).toMatchObject({ payload: [2], headers: { 'x-b': '2' }, event_type: 'e2' });
    });

    it('lets a stale report change neither the outcome nor what a replay sends (payload, headers, event_type)', async () => {
      const last = new Date('2025-06-01T11:30:00.000Z');
      await store.upsertBatch([item('s', { attempted_at: last, payload: { v: 1 }, headers: { 'x-a': '1' }, event_type: 'e1' })], 'd');
      const late = { status: 'delivered' as const, http_status: 200, payload: { v: 'l' }, headers: { 'x-a': 'l' }, event_type: 'l' };
      await store.upsertBatch([item('s', { attempted_at: new Date('2025-06-01T11:00:00.000Z'), ...late })], 'd');
      await store.upsertBatch([item('s', { ...late, status: 'pending', http_status: null, attempted_at: undefined })], 'd');
      expect(await store.findById(p + 's')).toMatchObject({
        status: 'failed',
        http_status: 503,
        payload: { v: 1 },
        headers: { 'x-a': '1' },
        event_type: 'e1',
        attempts: 2,
        last_attempt_at: last,
      });
    });

    it("refuses a duplicate id or another tenant's id, and then writes nothing of the batch", async () => {
      await expect(store.upsertBatch([item('d1'), item('d1')], 'd')).rejects.toMatchObject({ status: 400, code: 'duplicate_delivery_id' });
      await store.upsertBatch([item('owned', { tenant_id: 'someone-else' })], 'd');
      await expect(store.upsertBatch([item('d2'), item('owned')], 'd')).rejects.toMatchObject({
        status: 409,
        code: 'delivery_tenant_mismatch',
      });
      expect(await store.findById(p + 'd1')).toBeNull();
      expect(await store.findById(p + 'd2')).toBeNull();
      expect(await store.findById(p + 'owned')).toMatchObject({ tenant_id: 'someone-else', attempts: 1 });
    });

    it('lists newest first with every filter and the limit', async () => {
      const at = (minute: number) => new Date(`2025-06-01T10:0${minute}:00.000Z`);
      await store.upsertBatch(
        [
          item('l1', { created_at: at(1) }),
          item('l2', { created_at: at(2), status: 'delivered' }),
          item('l3', { created_at: at(3), target: B }),
          item('l4', { created_at: at(4), status: 'dead_letter' }),
        ],
        'd',
      );
      const ids = async (q: Partial<Parameters<DeliveryStore['list']>[0]>) =>
        (await store.list({ tenant_id: p + 'tenant', limit: 100, ...q })).map((d) => d.id.slice(p.length));
      expect(await ids({})).toEqual(['l4', 'l3', 'l2', 'l1']);
      expect(await ids({ target: A })).toEqual(['l4', 'l2', 'l1']);
      expect(await ids({ status: 'failed' })).toEqual(['l3', 'l1']);
      expect(await ids({ since: at(2) })).toEqual(['l4', 'l3', 'l2']);
      expect(await ids({ limit: 1 })).toEqual(['l4']);
      expect(await store.findById(p + 'nope')).toBeNull();
    });

    it('activeEndpoints: distinct tenant+endpoints with a delivery created since a time, whatever its status', async () => {
      // Far in the future, so what other tests stored (at the clock's time) is not counted.
      const since = new Date(Date.UTC(2040, 0, 1) + run * 86_400_000);
      const after = (ms: number) => new Date(since.getTime() + ms);
      await store.upsertBatch(
        [
          item('a1', { created_at: after(0) }),
          item('a2', { created_at: after(1), status: 'delivered', http_status: 200 }),
          item('b1', { created_at: after(2), target: B }),
          item('o1', { created_at: after(3), tenant_id: p + 'other' }),
          item('old', { created_at: after(-1), target: 'https://old.example.com/hook' }),
        ],
        'd',
      );
      expect(await store.activeEndpoints(since)).toBe(3);
      expect(await store.activeEndpoints(after(2))).toBe(2);
    });

    it('endpointActivity: failed attempts of any source and 2xx auto-heal sends per endpoint and bucket, of given tenants', async () => {
      // Far in the future, so what other tests stored is outside the window.
      const since = new Date(Date.UTC(2041, 0, 1) + run * 86_400_000);
      const after = (seconds: number) => new Date(since.getTime() + seconds * 1000);
      const other = p + 'other';
      await store.upsertBatch(
        [
          item('f1', { attempted_at: after(5) }),
          item('f2', { attempted_at: after(30) }),
          item('f3', { attempted_at: after(70) }),
          item('ok', { attempted_at: after(10), status: 'delivered', http_status: 200 }),
          item('fb', { attempted_at: after(20), target: B }),
          item('fo', { attempted_at: after(20), tenant_id: other }),
          item('early', { attempted_at: after(-1) }),
          item('late', { attempted_at: after(180) }),
        ],
        'd',
      );
      // A probe into the down endpoint (failed) and two heals, one of them late in the window.
      subject.clock.set(after(65));
      await subject.leaveReplayClaim(p + 'f1', 'failed');
      subject.clock.set(after(100));
      await subject.leaveReplayClaim(p + 'f2', 'succeeded');
      await subject.leaveReplayClaim(p + 'fb', 'succeeded');
      // Neither a failure nor a heal: not counted.
      await subject.leaveReplayClaim(p + 'f3', 'pending');

      const query = { since, until: after(120), bucketSeconds: 60 };
      const tenant = p + 'tenant';
      expect(await store.endpointActivity({ ...query, tenantIds: [tenant] })).toEqual([
        { tenant_id: tenant, endpoint: A, bucket: 0, failures: 2, heals: 0 },
        { tenant_id: tenant, endpoint: A, bucket: 1, failures: 2, heals: 1 },
        { tenant_id: tenant, endpoint: B, bucket: 0, failures: 1, heals: 0 },
        { tenant_id: tenant, endpoint: B, bucket: 1, failures: 0, heals: 1 },
      ]);
      const all = await store.endpointActivity(query);
      expect(all.map((c) => c.tenant_id)).toEqual([other, tenant, tenant, tenant, tenant]);
      expect(await store.endpointActivity({ ...query, tenantIds: [other] })).toEqual([
        { tenant_id: other, endpoint: A, bucket: 0, failures: 1, heals: 0 },
      ]);
      expect(await store.endpointActivity({ ...query, bucketSeconds: 3600 })).toEqual(
        expect.arrayContaining([{ tenant_id: tenant, endpoint: A, bucket: 0, failures: 4, heals: 1 }]),
      );
    });

    it('outageStarts: the oldest failure after the newest delivered delivery, never before notBefore, per endpoint', async () => {
      const at = (minute: number) => new Date(Date.UTC(2025, 5, 1, 8, 0) + minute * 60_000);
      const C = 'https://c.example.com/hook';
      await store.upsertBatch(
        [
          // A: failed, then delivered at 10, then down from 20 (dead_letter included), one out of order after.
          item('a-old', { created_at: at(0) }),
          item('a-ok', { created_at: at(10), status: 'delivered', http_status: 200 }),
          item('a-1', { created_at: at(20), status: 'dead_letter' }),
          item('a-2', { created_at: at(30) }),
          item('a-3', { created_at: at(400) }),
          // B: never delivered: its first failure, but not before notBefore.
          item('b-1', { created_at: at(5), target: B }),
          item('b-2', { created_at: at(50), target: B }),
          // C: delivered last, nothing failing since.
          item('c-1', { created_at: at(1), target: C }),
          item('c-ok', { created_at: at(2), target: C, status: 'delivered', http_status: 200 }),
          item('o-1', { created_at: at(3), tenant_id: p + 'other' }),
        ],
        'd',
      );
      const tenantId = p + 'tenant';
      const starts = await store.outageStarts([
        { tenantId, endpoint: A, notBefore: at(-60) },
        { tenantId, endpoint: B, notBefore: at(6) },
        { tenantId, endpoint: C, notBefore: at(-60) },
        { tenantId, endpoint: 'https://none.example.com/hook', notBefore: at(-60) },
      ]);
      expect(starts).toEqual(
        new Map([
          [endpointKey(tenantId, A), at(20)],
          [endpointKey(tenantId, B), at(50)],
        ]),
      );
      // A delivered delivery older than notBefore does not count: the failures since notBefore do.
      expect(await store.outageStarts([{ tenantId, endpoint: A, notBefore: at(25) }])).toEqual(
        new Map([[endpointKey(tenantId, A), at(30)]]),
      );
      expect(await store.outageStarts([])).toEqual(new Map());
    });

    it('recentFailures: failed and dead_letter of one tenant+endpoint since a time, newest first, limited', async () => {
      const at = (minute: number) => new Date(`2025-06-01T09:0${minute}:00.000Z`);
      await store.upsertBatch(
        [
          item('f1', { created_at: at(1), error: 'ECONNREFUSED', http_status: null, payload: { n: 1 }, headers: { 'x-h': 'v' } }),
          item('f2', { created_at: at(2), status: 'delivered', http_status: 200 }),
          item('f3', { created_at: at(3), status: 'dead_letter', http_status: 410 }),
          item('f4', { created_at: at(4), target: B }),
          item('f5', { created_at: at(5), tenant_id: p + 'other' }),
          item('f0', { created_at: at(0) }),
        ],
        'd',
      );
      const since = at(1);
      const rows = await store.recentFailures({ tenantId: p + 'tenant', endpoint: A, since, limit: 100 });
      expect(rows.map((r) => r.id.slice(p.length))).toEqual(['f3', 'f1']);
      expect(rows[1]).toEqual({
        id: p + 'f1',
        tenant_id: p + 'tenant',
        target: A,
        status: 'failed',
        triage_label: 'transient_endpoint_down',
        triage_score: 0.85,
        error: 'ECONNREFUSED',
        http_status: null,
        attempts: 1,
        payload: { n: 1 },
        headers: { 'x-h': 'v' },
        meta: {},
        created_at: since,
      });
      expect((await store.recentFailures({ tenantId: p + 'tenant', endpoint: A, since, limit: 1 })).map((r) => r.id)).toEqual([p + 'f3']);
    });

    it('recentFailures, single and batched, leave out what a pending or abandoned replay claim blocks', async () => {
      const at = (minute: number) => new Date(`2025-06-01T08:0${minute}:00.000Z`);
      await store.upsertBatch(
        [
          item('free', { created_at: at(1) }),
          item('moved-on', { created_at: at(2) }),
          item('pending', { created_at: at(3) }),
          item('abandoned', { created_at: at(4) }),
        ],
        'd',
      );
      await subject.leaveReplayClaim(p + 'pending', 'pending');
      await subject.leaveReplayClaim(p + 'abandoned', 'abandoned');
      await subject.leaveReplayClaim(p + 'moved-on', 'abandoned');
      // A later send moves the attempt counter on: the old claim no longer blocks.
      subject.clock.advance(60_000);
      await store.upsertBatch([item('moved-on')], 'd');

      const since = at(0);
      const ids = (rows: Array<{ id: string }> | undefined) => rows?.map((r) => r.id.slice(p.length));
      expect(ids(await store.recentFailures({ tenantId: p + 'tenant', endpoint: A, since, limit: 100 }))).toEqual(['moved-on', 'free']);
      expect(ids(await store.recentFailures({ tenantId: p + 'tenant', endpoint: A, since, limit: 1 }))).toEqual(['moved-on']);
      const batched = await store.recentFailuresByEndpoint([{ tenantId: p + 'tenant', endpoint: A }], since, 100);
      expect(ids(batched.get(endpointKey(p + 'tenant', A)))).toEqual(['moved-on', 'free']);
      expect((await store.findById(p + 'pending'))!.attempt_history).toContainEqual(
        expect.objectContaining({ outcome: 'pending', replay_key: replayKeyFor(p + 'pending', 1) }),
      );
    });
  });
}
