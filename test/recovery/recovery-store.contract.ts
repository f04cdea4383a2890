import type { NewRecovery } from '../../src/recovery/recovery';
import type { RecoveryStore } from '../../src/recovery/recovery-store.port';

export interface RecoveryStoreUnderTest {
  store: RecoveryStore;
  dispose(): Promise<void>;
}

const t0 = new Date('2030-01-01T12:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const counts = (sent: number, skipped = 0) => ({ sent, delivered: sent - 1, failed: 1, skipped });

/** The behaviour every RecoveryStore adapter must share; run once per adapter. */
export function describeRecoveryStoreContract(name: string, factory: () => Promise<RecoveryStoreUnderTest>): void {
  describe(`RecoveryStore contract: ${name}`, () => {
    let subject: RecoveryStoreUnderTest;
    let store: RecoveryStore;
    let n = 0;
    const create = (fields: Partial<NewRecovery> = {}, now = at(n++)) =>
      store.create(
        {
          tenantId: 'acme',
          endpoint: null,
          since: at(-3600),
          until: null,
          statuses: ['failed', 'dead_letter'],
          triageLabels: null,
          total: 10,
          createdBy: 'alice',
          ...fields,
        },
        now,
      );

    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
    });
    afterAll(() => subject?.dispose());

    it('creates a queued recovery with everything it was asked for, and reads it back', async () => {
      const created = await create(
        { endpoint: 'https://a.example.com/hook', until: at(-60), triageLabels: ['transient_endpoint_down'], total: 7 },
        at(100),
      );
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        tenant_id: 'acme',
        endpoint: 'https://a.example.com/hook',
        since: at(-3600),
        until: at(-60),
        statuses: ['failed', 'dead_letter'],
        triage_labels: ['transient_endpoint_down'],
        state: 'queued',
        total: 7,
        sent: 0,
        delivered: 0,
        failed: 0,
        skipped: 0,
        remaining: 7,
        paused_reason: null,
        created_by: 'alice',
        created_at: at(100),
        updated_at: at(100),
        started_at: null,
        finished_at: null,
        cancelled_by: null,
        error: null,
      });
      expect(await store.get(created.id)).toEqual(created);
      expect(await store.get('00000000-0000-4000-8000-000000000000')).toBeNull();
    });

    it('start → progress → completed; remaining follows the counts and is 0 once completed', async () => {
      const { id } = await create();
      expect(await store.start(id, at(200))).toMatchObject({ state: 'running', started_at: at(200) });
      // A resumed run keeps the first start time.
      expect(await store.start(id, at(205))).toMatchObject({ state: 'running', started_at: at(200) });
      expect(await store.progress(id, counts(4, 2), 'paused: maintenance', at(210))).toMatchObject({
        sent: 4,
        delivered: 3,
        failed: 1,
        skipped: 2,
        remaining: 4,
        paused_reason: 'paused: maintenance',
        updated_at: at(210),
      });
      expect(await store.finish(id, 'completed', null, at(220))).toMatchObject({
        state: 'completed',
        remaining: 0,
        paused_reason: null,
        finished_at: at(220),
      });
      expect(await store.start(id, at(230))).toBeNull();
      expect(await store.progress(id, counts(9), null, at(230))).toBeNull();
      expect(await store.finish(id, 'failed', 'late', at(230))).toBeNull();
      expect(await store.get(id)).toMatchObject({ state: 'completed', sent: 4, error: null });
    });

    it('a failed recovery keeps what remains and why', async () => {
      const { id } = await create();
      await store.start(id, at(300));
      await store.progress(id, counts(3), null, at(301));
      expect(await store.finish(id, 'failed', 'stopped: kill switch', at(302))).toMatchObject({
        state: 'failed',
        remaining: 7,
        error: 'stopped: kill switch',
      });
    });

    it('cancel: from queued or running only; counts still land after a cancel, a pause reason does not', async () => {
      const queued = await create();
      expect(await store.cancel(queued.id, 'bob', at(400))).toMatchObject({
        state: 'cancelled',
        cancelled_by: 'bob',
        finished_at: at(400),
      });
      expect(await store.start(queued.id, at(401))).toBeNull();

      const running = await create();
      await store.start(running.id, at(402));
      await store.cancel(running.id, 'bob', at(403));
      expect(await store.progress(running.id, counts(5), 'paused: maintenance', at(404))).toMatchObject({
        state: 'cancelled',
        sent: 5,
        remaining: 5,
        paused_reason: null,
      });
      expect(await store.finish(running.id, 'completed', null, at(405))).toBeNull();
      expect(await store.cancel(running.id, 'carol', at(406))).toBeNull();
      expect(await store.cancel('00000000-0000-4000-8000-000000000000', 'bob', at(406))).toBeNull();
    });

    it('lists newest first, by tenant and state; unfinished lists queued and running, oldest first', async () => {
      const a = await create({ tenantId: 'list-t' }, at(500));
      const b = await create({ tenantId: 'list-t' }, at(501));
      const c = await create({ tenantId: 'list-other' }, at(502));
      await store.start(b.id, at(503));
      expect((await store.list({ tenantId: 'list-t', limit: 10 })).map((r) => r.id)).toEqual([b.id, a.id]);
      expect((await store.list({ tenantId: 'list-t', state: 'running', limit: 10 })).map((r) => r.id)).toEqual([b.id]);
      expect(await store.list({ tenantId: 'list-t', limit: 1 })).toHaveLength(1);
      const unfinished = (await store.unfinished()).map((r) => r.id);
      expect(unfinished).toEqual(expect.arrayContaining([a.id, b.id, c.id]));
      expect(unfinished.indexOf(a.id)).toBeLessThan(unfinished.indexOf(c.id));
      await store.cancel(a.id, 'bob', at(504));
      expect((await store.unfinished()).map((r) => r.id)).not.toContain(a.id);
    });
  });
}
