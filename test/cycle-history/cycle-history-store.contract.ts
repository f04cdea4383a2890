import { randomUUID } from 'node:crypto';
import { CycleHistoryStore } from '../../src/cycle-history/cycle-history-store.port';
import type { ActionSkipped, ActionTaken, CycleResult, RecoveredAction } from '../../src/engine/cycle-result';

export interface CycleHistoryStoreUnderTest {
  store: CycleHistoryStore;
  dispose(): Promise<void>;
}

const incident = {
  tenant_id: 't1',
  endpoint: 'https://a.example.com/hook',
  severity: 'medium',
  failures: 4,
  kind: 'failure_burst',
} as const;
const replay: ActionTaken = {
  strategy: 'REPLAY_RECENT',
  probability: 0.82,
  executed: true,
  incident,
  rationale: 'Mostly transient',
  replayed: ['d1', 'd2'],
  count: 2,
};
const escalate: ActionTaken = {
  strategy: 'ESCALATE_OPERATOR',
  probability: 0.9,
  executed: true,
  incident,
  rationale: 'Critical',
  priority: 'critical',
};
const recovered: RecoveredAction = {
  strategy: 'REPLAY_RECENT',
  probability: null,
  executed: true,
  incident: { tenant_id: 't1', endpoint: 'https://b.example.com/hook', severity: null, failures: null, kind: null },
  rationale: null,
  message: 'Recovered from the audit trail',
  recovered_from: 'audit_trail',
  replayed: ['d3', 'd4'],
  delivered: ['d3'],
  still_failing: [],
  unsettled: ['d4'],
  count: 2,
};
const skipped: ActionSkipped = {
  incident,
  strategy: 'REPLAY_RECENT',
  check: 'cooldown',
  reason: 'Cooldown active (2m < 15m)',
  probability: 0.82,
};

/** The behaviour every CycleHistoryStore adapter must share; the tests run in order on one store. */
export function describeCycleHistoryStoreContract(name: string, factory: () => Promise<CycleHistoryStoreUnderTest>): void {
  describe(`CycleHistoryStore contract: ${name}`, () => {
    let subject: CycleHistoryStoreUnderTest;
    let store: CycleHistoryStore;
    // Each test's cycles run a day after the previous test's, so "newest first" is about this test's.
    let day = 0;
    const cycle = (minute: number, fields: Partial<CycleResult> = {}): CycleResult => ({
      run_at: new Date(Date.UTC(2026, 10, 1 + day, 12, minute)).toISOString(),
      incidents_detected: 0,
      actions_taken: [],
      actions_skipped: [],
      total_replays: 0,
      total_escalations: 0,
      total_deferrals: 0,
      execution_time_ms: 12.5,
      dry_run: false,
      ...fields,
    });

    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
    });
    beforeEach(() => {
      day += 1;
    });
    afterAll(() => subject?.dispose());

    it('has no last cycle before one is saved', async () => {
      expect(await store.last()).toBeNull();
      expect(await store.entries(10)).toEqual([]);
    });

    it('gives back the last cycle as it was run, totals derived from its actions', async () => {
      const result = cycle(1, { incidents_detected: 3, actions_taken: [replay, escalate], actions_skipped: [skipped], dry_run: true });
      await store.save(result);
      expect(await store.last()).toEqual({ ...result, total_replays: 2, total_escalations: 1, total_deferrals: 0 });
    });

    it('lists the most recent cycles newest first, up to the limit', async () => {
      for (const minute of [3, 1, 2]) await store.save(cycle(minute, { incidents_detected: minute }));
      expect((await store.recent(2)).map((r) => r.incidents_detected)).toEqual([3, 2]);
    });

    it('writes one history line per action, and one for a cycle that found nothing', async () => {
      await store.save(cycle(1, { incidents_detected: 0, dry_run: true }));
      await store.save(cycle(2, { incidents_detected: 2, actions_taken: [replay], actions_skipped: [skipped] }));
      const timestamp = (minute: number) => cycle(minute).run_at;
      expect(await store.entries(2)).toEqual([
        {
          timestamp: timestamp(2),
          incident,
          strategy: 'REPLAY_RECENT',
          result: { probability: 0.82, executed: true, rationale: 'Mostly transient', replayed: ['d1', 'd2'], count: 2 },
        },
        {
          timestamp: timestamp(2),
          incident,
          strategy: 'REPLAY_RECENT',
          result: { executed: false, check: 'cooldown', reason: 'Cooldown active (2m < 15m)', probability: 0.82 },
        },
        {
          timestamp: timestamp(1),
          incident: null,
          strategy: null,
          result: { incidents_detected: 0, dry_run: true, message: 'No incidents' },
        },
      ]);
    });

    it('keeps what was saved, whatever happens to the result object afterwards', async () => {
      const result = cycle(1, { actions_taken: [{ ...replay, replayed: ['d1'] }] });
      await store.save(result);
      result.actions_taken[0].replayed = ['tampered'];
      result.incidents_detected = 99;
      expect(await store.last()).toMatchObject({ incidents_detected: 0, actions_taken: [{ replayed: ['d1'] }] });
    });

    describe('a cycle opened before it acts', () => {
      const LONG_LEASE_MS = 60_000;
      const open = (minute: number, leaseMs = LONG_LEASE_MS, incidentsDetected = 2) => {
        const cycleId = randomUUID();
        const runAt = new Date(cycle(minute).run_at);
        return store.open({ cycleId, runAt, incidentsDetected, dryRun: false, leaseMs }).then(() => cycleId);
      };

      it('reads as running, with the actions appended so far, while its lease lasts', async () => {
        const id = await open(1);
        await store.append(id, replay);
        await store.keepAlive(id, LONG_LEASE_MS);
        expect(await store.last()).toEqual({
          ...cycle(1, { incidents_detected: 2, actions_taken: [replay] }),
          total_replays: 2,
          execution_time_ms: 0,
          status: 'running',
        });
      });

      it('is completed in place by the final result, which replaces what was appended', async () => {
        const id = await open(1);
        await store.append(id, replay);
        const result = cycle(1, { incidents_detected: 2, actions_taken: [replay, escalate], actions_skipped: [skipped] });
        await store.complete(id, result);
        const today = (await store.recent(5)).filter((row) => row.run_at === result.run_at);
        expect(today).toEqual([{ ...result, total_replays: 2, total_escalations: 1 }]);
      });

      it('completes a cycle whose open never got through', async () => {
        const result = cycle(1, { incidents_detected: 1, actions_taken: [escalate] });
        await store.complete(randomUUID(), result);
        expect(await store.last()).toEqual({ ...result, total_escalations: 1 });
      });

      it('reads as interrupted once its lease ran out, with what it did, and is marked so for good', async () => {
        const id = await open(1, 0);
        await store.append(id, replay);
        expect(await store.last()).toMatchObject({
          status: 'interrupted',
          incidents_detected: 2,
          actions_taken: [replay],
          total_replays: 2,
        });
        expect(await store.lapsed()).toEqual([{ cycleId: id, runAt: new Date(cycle(1).run_at), actionsTaken: [replay] }]);
        expect(await store.markInterrupted(id, [])).toBe(true);
        expect(await store.markInterrupted(id, [recovered])).toBe(false);
        expect(await store.lapsed()).toEqual([]);
        // A late heartbeat from a process taken for dead does not reopen it.
        await store.keepAlive(id, LONG_LEASE_MS);
        expect(await store.last()).toMatchObject({ status: 'interrupted' });
        const lines = await store.entries(1);
        expect(lines[0]).toEqual({
          timestamp: cycle(1).run_at,
          incident: null,
          strategy: null,
          result: expect.objectContaining({
            status: 'interrupted',
            incidents_detected: 2,
            message: expect.stringMatching(/interrupted .* after 1 action/),
          }),
        });
        expect(lines[1]).toMatchObject({ strategy: 'REPLAY_RECENT', result: { replayed: ['d1', 'd2'] } });
      });

      it('is marked interrupted with the actions recovered for it after those it appended, and says so', async () => {
        const id = await open(1, 0);
        await store.append(id, replay);
        expect(await store.markInterrupted(id, [recovered])).toBe(true);
        expect(await store.last()).toMatchObject({ status: 'interrupted', actions_taken: [replay, recovered], total_replays: 4 });
        const [summary, ...actions] = await store.entries(1);
        expect(summary.result.message).toMatch(/after 2 action\(s\), 1 of them recovered from the audit trail/);
        expect(actions.map((line) => line.result.replayed)).toEqual([
          ['d1', 'd2'],
          ['d3', 'd4'],
        ]);
      });

      it('does not mark a cycle whose lease still runs', async () => {
        const id = await open(1);
        expect((await store.lapsed()).map((lapsed) => lapsed.cycleId)).not.toContain(id);
        expect(await store.markInterrupted(id, [recovered])).toBe(false);
        expect(await store.last()).toMatchObject({ status: 'running', actions_taken: [] });
      });
    });
  });
}
