import { randomUUID } from 'node:crypto';
import type { AttemptRecord, DeliveryRecord, DeliveryStore } from '../../src/deliveries/delivery-store.port';
import type { DeliveryStatus } from '../../src/deliveries/delivery.constants';
import { ABANDONED_ERROR, OUTCOME_AUDIT_ACTION, ReplayLedger, SEND_AUDIT_ACTION } from '../../src/replay/replay-ledger.port';
import { eventually } from '../utils/eventually';
import type { ReplayClaim } from '../../src/replay/replay.types';

export interface ReplayLedgerUnderTest {
  ledger: ReplayLedger;
  /** Where the deliveries the ledger claims are reported. */
  deliveries: DeliveryStore;
  /** The delivery as a reader sees it after the ledger's writes. */
  delivery(id: string): Promise<DeliveryRecord | null>;
  /** The delivery's automatic attempts, oldest first. */
  replayAttempts(id: string): Promise<AttemptRecord[]>;
  /** The audit rows about the delivery, oldest first. */
  auditTrail(id: string): Promise<Array<{ action: string; operator_id: string; tenant_id: string | null; meta: Record<string, unknown> }>>;
  dispose(): Promise<void>;
}

interface Seed {
  status?: Exclude<DeliveryStatus, 'pending'>;
  /** How many dispatcher attempts were reported; at least one. */
  attempts?: number;
  http_status?: number | null;
  error?: string | null;
  payload?: unknown;
  headers?: Record<string, string>;
}

const actor = 'system:autoheal';
const now = new Date('2030-01-01T12:00:00.000Z');
const later = new Date('2030-01-01T12:00:02.000Z');
const ctx = (cycleId: string | null = randomUUID(), at = now) => ({ cycleId, actor, now: at, cycleStartedAt: at });
const target = 'https://receiver.example.com/hook';

/** The behaviour every ReplayLedger adapter must share; run once per adapter. */
export function describeReplayLedgerContract(name: string, factory: () => Promise<ReplayLedgerUnderTest>): void {
  describe(`ReplayLedger contract: ${name}`, () => {
    let subject: ReplayLedgerUnderTest;
    let ledger: ReplayLedger;
    let seq = 0;

    async function seed(s: Seed = {}): Promise<string> {
      const id = `dlv_${++seq}_${randomUUID().slice(0, 8)}`;
      const { status = 'failed', attempts = 1, http_status = 503, error = 'HTTP 503', payload = { event: 'order.paid', id }, headers } = s;
      for (let n = 0; n < attempts; n++) {
        const attempted_at = new Date(now.getTime() - (attempts - n) * 60_000);
        await subject.deliveries.upsertBatch(
          [{ id, tenant_id: 'tenant_a', target, status, http_status, error, payload, headers, attempted_at }],
          'dispatcher',
        );
      }
      return id;
    }
    const delivery = async (id: string) => (await subject.delivery(id))!;

    beforeAll(async () => {
      subject = await factory();
      ledger = subject.ledger;
    });
    afterAll(() => subject?.dispose());

    it('claims a failed delivery with what a re-send needs, and records the claim as a pending attempt', async () => {
      const payload = { event: 'invoice.created', lines: [{ sku: 'a', qty: 2 }] };
      const id = await seed({ attempts: 3, payload, headers: { 'x-signature': 'sha256=abc' } });
      const cycleId = randomUUID();
      const claim = await ledger.claim(id, ctx(cycleId));
      expect(claim).toMatchObject({
        deliveryId: id,
        tenantId: 'tenant_a',
        target,
        payload,
        headers: { 'x-signature': 'sha256=abc' },
        replayKey: `${id}:autoheal:3`,
        attemptNumber: 3,
        cycleId,
        actor,
        claimedAt: now,
      });
      expect(await subject.replayAttempts(id)).toEqual([
        expect.objectContaining({
          id: claim!.attemptId,
          source: 'autoheal',
          actor,
          outcome: 'pending',
          replay_key: `${id}:autoheal:3`,
          cycle_id: cycleId,
          attempted_at: now,
          finished_at: null,
        }),
      ]);
    });

    it('claims carry the exact body and content type as reported, for an automatic claim and an operator re-send', async () => {
      const body = '<order id="7">\n  <b/>\n</order>';
      const id = `dlv_${++seq}_${randomUUID().slice(0, 8)}`;
      await subject.deliveries.upsertBatch(
        [
          {
            id,
            tenant_id: 'tenant_a',
            target,
            status: 'failed',
            http_status: 503,
            body,
            content_type: 'text/xml',
            payload: null,
            attempted_at: now,
          },
        ],
        'dispatcher',
      );
      const claim = await ledger.claim(id, ctx());
      expect(claim).toMatchObject({ body, contentType: 'text/xml', payload: null });
      await ledger.settle(claim!, { ok: false, httpStatus: 503, error: 'HTTP 503', durationMs: 5 }, later);
      const resent = await ledger.claimForResend(id, { actor: 'operator:bob', now: later });
      expect(resent).toMatchObject({ claim: { body, contentType: 'text/xml' } });
      const jsonOnly = await seed({ payload: { a: 1 } });
      expect(await ledger.claim(jsonOnly, ctx())).toMatchObject({ body: null, contentType: null, payload: { a: 1 } });
    });

    it('a success makes the delivery delivered, counts the attempt and marks it autoheal', async () => {
      const id = await seed({ attempts: 3 });
      const claim = await ledger.claim(id, ctx());
      const settlement = await ledger.settle(claim!, { ok: true, httpStatus: 200, error: null, durationMs: 41.6 }, later);
      expect(settlement).toEqual({
        attemptId: claim!.attemptId,
        deliveryId: id,
        outcome: 'succeeded',
        deliveryStatus: 'delivered',
        attempts: 4,
        triageLabel: 'transient_endpoint_down',
        triageScore: expect.closeTo(0.95),
      });
      expect(await delivery(id)).toMatchObject({
        status: 'delivered',
        attempts: 4,
        http_status: 200,
        error: null,
        last_attempt_at: later,
        meta: { autoheal: true, last_replay_attempt_id: claim!.attemptId },
      });
      expect(await subject.replayAttempts(id)).toEqual([
        expect.objectContaining({
          id: claim!.attemptId,
          outcome: 'succeeded',
          http_status: 200,
          error: null,
          duration_ms: 42,
          finished_at: later,
        }),
      ]);
    });

    it('a failure keeps the status, counts the attempt and re-triages the delivery by the new error', async () => {
      const id = await seed({ status: 'dead_letter', attempts: 2, http_status: null, error: 'something odd' });
      expect(await delivery(id)).toMatchObject({ triage_label: 'unknown' });
      const claim = await ledger.claim(id, ctx());
      const settlement = await ledger.settle(claim!, { ok: false, httpStatus: 503, error: 'HTTP 503', durationMs: 7 }, later);
      expect(settlement).toMatchObject({
        outcome: 'failed',
        deliveryStatus: 'dead_letter',
        attempts: 3,
        triageLabel: 'transient_endpoint_down',
      });
      const row = await delivery(id);
      expect(row).toMatchObject({
        status: 'dead_letter',
        attempts: 3,
        http_status: 503,
        error: 'HTTP 503',
        triage_label: 'transient_endpoint_down',
      });
      expect(row.triage_score).toBeCloseTo(0.95);
      expect(await subject.replayAttempts(id)).toEqual([
        expect.objectContaining({ outcome: 'failed', http_status: 503, error: 'HTTP 503' }),
      ]);
    });

    it('after a settled failure the counter has moved on: a later cycle may claim again, the same cycle may not', async () => {
      const id = await seed({ attempts: 1 });
      const cycle = randomUUID();
      const first = await ledger.claim(id, ctx(cycle));
      await ledger.settle(first!, { ok: false, httpStatus: 502, error: 'HTTP 502', durationMs: 5 }, later);

      expect(await ledger.claim(id, ctx(cycle))).toBeNull();
      const next = await ledger.claim(id, ctx(randomUUID(), later));
      expect(next?.replayKey).toBe(`${id}:autoheal:2`);
      expect(next?.attemptNumber).toBe(2);
    });

    it('a cycle that read the delivery before another cycle re-sent it does not claim it, even after that send failed', async () => {
      const id = await seed();
      const first = await ledger.claim(id, ctx(randomUUID(), later));
      await ledger.settle(first!, { ok: false, httpStatus: 503, error: 'HTTP 503', durationMs: 5 }, later);
      expect(await ledger.claim(id, { cycleId: randomUUID(), actor, now: later, cycleStartedAt: now })).toBeNull();
      expect(await subject.replayAttempts(id)).toHaveLength(1);
    });

    it('a dispatcher report newer than the replay replaces its outcome; an older one only counts', async () => {
      const id = await seed({ attempts: 1 });
      const claim = await ledger.claim(id, ctx());
      await ledger.settle(claim!, { ok: false, httpStatus: 502, error: 'HTTP 502', durationMs: 5 }, later);
      const report = (status: 'delivered', attempted_at: Date) =>
        subject.deliveries.upsertBatch([{ id, tenant_id: 'tenant_a', target, status, http_status: 200, attempted_at }], 'dispatcher');

      await report('delivered', new Date(later.getTime() - 1_000));
      expect(await delivery(id)).toMatchObject({ status: 'failed', http_status: 502, attempts: 3, last_attempt_at: later });
      await report('delivered', new Date(later.getTime() + 1_000));
      expect(await delivery(id)).toMatchObject({
        status: 'delivered',
        http_status: 200,
        attempts: 4,
        last_attempt_at: new Date(later.getTime() + 1_000),
      });
    });

    it('settles an attempt only once', async () => {
      const id = await seed({ attempts: 1 });
      const claim = await ledger.claim(id, ctx());
      const result = { ok: false, httpStatus: 500, error: 'HTTP 500', durationMs: 12 };
      expect(await ledger.settle(claim!, result, later)).not.toBeNull();
      expect(await ledger.settle(claim!, { ok: true, httpStatus: 200, error: null, durationMs: 3 }, later)).toBeNull();
      expect(await delivery(id)).toMatchObject({ status: 'failed', attempts: 2 });
      expect((await subject.replayAttempts(id))[0]).toMatchObject({ outcome: 'failed', duration_ms: 12 });
    });

    it('does not claim a delivered, pending or unknown delivery', async () => {
      const delivered = await seed({ status: 'delivered', http_status: 200, error: null });
      const pending = `dlv_pending_${randomUUID().slice(0, 8)}`;
      await subject.deliveries.upsertBatch([{ id: pending, tenant_id: 'tenant_a', target, status: 'pending' }], 'dispatcher');
      expect(await ledger.claim(delivered, ctx())).toBeNull();
      expect(await ledger.claim(pending, ctx())).toBeNull();
      expect(await ledger.claim('dlv_does_not_exist', ctx())).toBeNull();
      expect(await subject.replayAttempts(delivered)).toHaveLength(0);
      expect(await subject.replayAttempts(pending)).toHaveLength(0);
    });

    it('of 10 concurrent claims of one delivery, exactly one wins', async () => {
      const id = await seed({ attempts: 5 });
      const claims = await Promise.all(Array.from({ length: 10 }, () => ledger.claim(id, ctx(randomUUID()))));
      expect(claims.filter((c) => c !== null)).toHaveLength(1);
      const rows = await subject.replayAttempts(id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ outcome: 'pending', replay_key: `${id}:autoheal:5` });
    });

    it('a claim never settled (a crash mid-send) blocks further claims; abandonStale marks it abandoned', async () => {
      const id = await seed({ attempts: 1 });
      const claim = await ledger.claim(id, ctx(randomUUID(), now));
      expect(claim).not.toBeNull();
      expect(await ledger.claim(id, ctx(randomUUID(), later))).toBeNull();

      expect(await ledger.abandonStale(now)).not.toContain(claim!.attemptId);
      const abandoned = await ledger.abandonStale(new Date(now.getTime() + 60_000));
      expect(abandoned).toContain(claim!.attemptId);
      const rows = await subject.replayAttempts(id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ outcome: 'abandoned', error: ABANDONED_ERROR, source: 'autoheal' });

      expect(await ledger.claim(id, ctx(randomUUID(), later))).toBeNull();
      expect(await ledger.settle(claim!, { ok: true, httpStatus: 200, error: null, durationMs: 5 }, later)).toBeNull();
      expect(await delivery(id)).toMatchObject({ status: 'failed', attempts: 1 });
      expect(await ledger.abandonStale(new Date(now.getTime() + 60_000))).not.toContain(claim!.attemptId);
    });

    describe('endpoint healing leases', () => {
      const endpoint = () => `${target}?lease=${randomUUID()}`;
      const LEASE_MS = 60_000;

      it('has one holder at a time; the holder may take it again, with the same fence', async () => {
        const e = endpoint();
        const a = await ledger.acquireEndpointLease('tenant_a', e, 'cycle-a', LEASE_MS);
        expect(a).toEqual({ tenantId: 'tenant_a', endpoint: e, holder: 'cycle-a', fence: expect.stringMatching(/^\d+$/), ttlMs: LEASE_MS });
        expect(await ledger.acquireEndpointLease('tenant_a', e, 'cycle-b', LEASE_MS)).toBeNull();
        expect((await ledger.acquireEndpointLease('tenant_a', e, 'cycle-a', LEASE_MS))?.fence).toBe(a!.fence);
        expect(await ledger.acquireEndpointLease('tenant_b', e, 'cycle-b', LEASE_MS)).not.toBeNull();
      });

      it('passes to the next holder with a larger fence once released or expired', async () => {
        const e = endpoint();
        const a = (await ledger.acquireEndpointLease('tenant_a', e, 'cycle-a', LEASE_MS))!;
        await ledger.releaseEndpointLease(a);
        const b = (await ledger.acquireEndpointLease('tenant_a', e, 'cycle-b', 1))!;
        expect(BigInt(b.fence)).toBeGreaterThan(BigInt(a.fence));
        const c = await eventually(async () => {
          const lease = await ledger.acquireEndpointLease('tenant_a', e, 'cycle-c', LEASE_MS);
          if (!lease) throw new Error('the short lease has not expired yet');
          return lease;
        }, 10_000);
        expect(BigInt(c.fence)).toBeGreaterThan(BigInt(b.fence));
        // A stale holder's release does not end the current lease.
        await ledger.releaseEndpointLease(b);
        expect(await ledger.acquireEndpointLease('tenant_a', e, 'cycle-d', LEASE_MS)).toBeNull();
      });

      it('refuses a claim under a lease that is no longer current, and records nothing for it', async () => {
        const e = endpoint();
        const id = await seed();
        const a = (await ledger.acquireEndpointLease('tenant_a', e, 'cycle-a', LEASE_MS))!;
        await ledger.releaseEndpointLease(a);
        const b = (await ledger.acquireEndpointLease('tenant_a', e, 'cycle-b', LEASE_MS))!;
        expect(await ledger.claim(id, { ...ctx(), lease: a, audit: true })).toBeNull();
        expect(await subject.replayAttempts(id)).toEqual([]);
        expect(await subject.auditTrail(id)).toEqual([]);
        expect(await ledger.claim(id, { ...ctx(), lease: b })).not.toBeNull();
      });
    });

    describe('the audit trail of each send', () => {
      it('writes the intent with the claim and appends the outcome on settle, one row each', async () => {
        const id = await seed();
        const cycleId = randomUUID();
        const lease = (await ledger.acquireEndpointLease('tenant_a', `${target}?audit=${randomUUID()}`, cycleId, 60_000))!;
        const claim = await ledger.claim(id, { ...ctx(cycleId), lease, audit: true, strategy: 'RECOVER_BACKLOG' });
        expect(claim?.audited).toBe(true);
        expect(await subject.auditTrail(id)).toEqual([
          {
            action: SEND_AUDIT_ACTION,
            operator_id: actor,
            tenant_id: 'tenant_a',
            meta: {
              cycle_id: cycleId,
              attempt_id: claim!.attemptId,
              replay_key: claim!.replayKey,
              target,
              fence: lease.fence,
              strategy: 'RECOVER_BACKLOG',
            },
          },
        ]);
        await ledger.settle(claim!, { ok: true, httpStatus: 200, error: null, durationMs: 9 }, later);
        expect((await subject.auditTrail(id)).map((row) => row.action)).toEqual([SEND_AUDIT_ACTION, OUTCOME_AUDIT_ACTION]);
        expect((await subject.auditTrail(id))[1].meta).toEqual({
          cycle_id: cycleId,
          attempt_id: claim!.attemptId,
          outcome: 'succeeded',
          http_status: 200,
          error: null,
          duration_ms: 9,
        });
      });

      it('writes nothing when not asked to', async () => {
        const id = await seed();
        const claim = await ledger.claim(id, ctx());
        await ledger.settle(claim!, { ok: false, httpStatus: 503, error: 'HTTP 503', durationMs: 9 }, later);
        expect(claim?.audited).toBeUndefined();
        expect(await subject.auditTrail(id)).toEqual([]);
      });
    });

    describe('claimForResend (an operator re-sends one delivery)', () => {
      const by = { actor: 'operator:alice', now };
      const abandon = async (id: string) => {
        const claim = await ledger.claim(id, ctx(randomUUID(), now));
        expect(await ledger.abandonStale(new Date(now.getTime() + 60_000))).toContain(claim!.attemptId);
        return claim!;
      };

      it('takes the automatic key when it is free, so the automatic path cannot send it too', async () => {
        const id = await seed({ attempts: 2 });
        const result = await ledger.claimForResend(id, by);
        expect(result).toEqual({
          claim: expect.objectContaining({
            deliveryId: id,
            replayKey: `${id}:autoheal:2`,
            actor: 'operator:alice',
            cycleId: null,
            attemptNumber: 2,
          }),
        });
        expect(await ledger.claim(id, ctx(randomUUID(), later))).toBeNull();
        expect(await ledger.claimForResend(id, by)).toEqual({ refused: 'in_flight' });
        const { claim } = result as { claim: ReplayClaim };
        const settled = await ledger.settle(claim, { ok: true, httpStatus: 200, error: null, durationMs: 3 }, later);
        expect(settled).toMatchObject({ deliveryStatus: 'delivered', attempts: 3 });
        expect(await ledger.claimForResend(id, by)).toEqual({ refused: 'not_failed', status: 'delivered' });
      });

      it('re-sends an abandoned delivery, exactly once however many ask at once', async () => {
        const id = await seed({ attempts: 1 });
        await abandon(id);
        expect(await ledger.claim(id, ctx(randomUUID(), later))).toBeNull();
        const results = await Promise.all(Array.from({ length: 6 }, () => ledger.claimForResend(id, by)));
        const won = results.filter((r): r is { claim: ReplayClaim } => 'claim' in r);
        expect(won).toHaveLength(1);
        expect(results.filter((r) => 'refused' in r)).toEqual(Array(5).fill({ refused: 'in_flight' }));
        expect(won[0].claim.replayKey).toBe(`${id}:autoheal-resend:1:1`);
        await ledger.settle(won[0].claim, { ok: false, httpStatus: 503, error: 'HTTP 503', durationMs: 3 }, later);
        // The counter moved on: the next attempt is claimable again, by anyone.
        expect((await ledger.claimForResend(id, by)) as { claim: ReplayClaim }).toMatchObject({ claim: { replayKey: `${id}:autoheal:2` } });
      });

      it('a re-send that is itself abandoned leaves the next one its own key', async () => {
        const id = await seed({ attempts: 1 });
        await abandon(id);
        const first = (await ledger.claimForResend(id, by)) as { claim: ReplayClaim };
        expect(await ledger.abandonStale(new Date(now.getTime() + 60_000))).toContain(first.claim.attemptId);
        const second = await ledger.claimForResend(id, by);
        expect(second).toMatchObject({ claim: { replayKey: `${id}:autoheal-resend:1:2` } });
      });

      it('refuses unknown and delivered deliveries, writing nothing', async () => {
        const delivered = await seed({ status: 'delivered', http_status: 200, error: null });
        expect(await ledger.claimForResend('dlv_does_not_exist', by)).toEqual({ refused: 'unknown' });
        expect(await ledger.claimForResend(delivered, by)).toEqual({ refused: 'not_failed', status: 'delivered' });
        expect(await subject.replayAttempts(delivered)).toHaveLength(0);
      });
    });
  });
}
