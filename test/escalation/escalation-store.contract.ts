import { HttpStatus } from '@nestjs/common';
import type { Incident } from '../../src/anomalies/incident';
import { DomainError } from '../../src/common/domain-error';
import { EscalationStore } from '../../src/escalation/escalation-store.port';
import { EscalationService } from '../../src/escalation/escalation.service';

export interface EscalationStoreUnderTest {
  store: EscalationStore;
  dispose(): Promise<void>;
}

const T0 = new Date('2025-03-01T10:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

function incident(tenant: string, endpoint: string, failures = 60): Incident {
  return {
    tenant_id: tenant,
    endpoint,
    kind: 'failure_burst',
    severity: 'high',
    failures,
    total_recent: 100,
    total_baseline: 1000,
    failures_baseline: 10,
    failure_rate: failures / 100,
    baseline_failure_rate: 0.01,
    traffic_ratio: 1,
    triage_distribution: { permanent: failures },
    most_common_error: 'HTTP 410',
    detected_at: T0.toISOString(),
  };
}

/**
 * The behaviour every EscalationStore adapter must share, seen directly and through the service
 * that owns the transitions; run once per adapter. `factory` gives a fresh, empty store per call.
 */
export function describeEscalationStoreContract(name: string, factory: () => Promise<EscalationStoreUnderTest>): void {
  describe(`EscalationStore contract: ${name}`, () => {
    let subject: EscalationStoreUnderTest;
    let store: EscalationStore;
    let service: EscalationService;
    const rowsFor = async (tenant: string, endpoint: string) =>
      (await store.list({ limit: 1000 }))
        .filter((e) => e.tenant_id === tenant && e.endpoint === endpoint)
        .reverse()
        .map(({ status, occurrences }) => ({ status, occurrences }));

    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
      service = new EscalationService(store);
    });
    afterAll(() => subject?.dispose());

    describe('EscalationService.open', () => {
      it('opens once and bumps on the second call: one row, two occurrences, the latest incident, the higher priority', async () => {
        const first = await service.open({
          incident: incident('t1', 'https://a/1', 60),
          priority: 'high',
          reason: 'massive failure cluster',
          now: minutes(0),
        });
        expect(first.created).toBe(true);
        expect(first.escalation).toMatchObject({
          tenant_id: 't1',
          endpoint: 'https://a/1',
          status: 'open',
          priority: 'high',
          occurrences: 1,
          notified_at: null,
        });
        expect(first.escalation.created_at).toEqual(minutes(0));

        const second = await service.open({
          incident: incident('t1', 'https://a/1', 75),
          priority: 'critical',
          reason: 'again',
          now: minutes(5),
        });
        expect(second.created).toBe(false);
        expect(second.escalation).toMatchObject({
          id: first.escalation.id,
          occurrences: 2,
          priority: 'critical',
          reason: 'massive failure cluster',
        });
        expect(second.escalation.incident.failures).toBe(75);
        expect(second.escalation.created_at).toEqual(minutes(0));
        expect(second.escalation.last_seen_at).toEqual(minutes(5));

        const third = await service.open({ incident: incident('t1', 'https://a/1'), priority: 'low', reason: 'again', now: minutes(6) });
        expect(third.escalation).toMatchObject({ occurrences: 3, priority: 'critical' });
        expect(await rowsFor('t1', 'https://a/1')).toEqual([{ status: 'open', occurrences: 3 }]);
      });

      it('keeps tenants apart on the same endpoint', async () => {
        await service.open({ incident: incident('t2', 'https://shared'), priority: 'high', reason: 'r', now: minutes(0) });
        const other = await service.open({ incident: incident('t3', 'https://shared'), priority: 'high', reason: 'r', now: minutes(0) });
        expect(other.created).toBe(true);
      });

      it('bumps an acknowledged escalation too, and opens a new one once it is resolved', async () => {
        const { escalation } = await service.open({
          incident: incident('t4', 'https://a/4'),
          priority: 'high',
          reason: 'r',
          now: minutes(0),
        });
        await service.acknowledge(escalation.id, 'alice', minutes(1));
        const bumped = await service.open({ incident: incident('t4', 'https://a/4'), priority: 'high', reason: 'r', now: minutes(2) });
        expect(bumped).toMatchObject({ created: false, escalation: { id: escalation.id, status: 'acknowledged', occurrences: 2 } });

        await service.resolve(escalation.id, 'alice', minutes(3));
        const reopened = await service.open({ incident: incident('t4', 'https://a/4'), priority: 'high', reason: 'r', now: minutes(4) });
        expect(reopened.created).toBe(true);
        expect(reopened.escalation.id).not.toBe(escalation.id);
        expect(await rowsFor('t4', 'https://a/4')).toEqual([
          { status: 'resolved', occurrences: 2 },
          { status: 'open', occurrences: 1 },
        ]);
      });

      it('opens exactly one row when ten callers race', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            service.open({ incident: incident('t5', 'https://race'), priority: 'high', reason: 'r', now: minutes(i) }),
          ),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.escalation.id)).size).toBe(1);
        expect(await rowsFor('t5', 'https://race')).toEqual([{ status: 'open', occurrences: 10 }]);
      });
    });

    describe('EscalationService transitions', () => {
      it('acknowledges, keeps a second acknowledgement unchanged, resolves, and refuses to acknowledge a resolved one', async () => {
        const { escalation } = await service.open({
          incident: incident('t6', 'https://a/6'),
          priority: 'high',
          reason: 'r',
          now: minutes(0),
        });

        const acked = await service.acknowledge(escalation.id, 'alice', minutes(1));
        expect(acked).toMatchObject({ status: 'acknowledged', acknowledged_by: 'alice', acknowledged_at: minutes(1) });
        const again = await service.acknowledge(escalation.id, 'bob', minutes(2));
        expect(again).toEqual(acked);

        const resolved = await service.resolve(escalation.id, 'bob', minutes(3));
        expect(resolved).toMatchObject({ status: 'resolved', resolved_by: 'bob', resolved_at: minutes(3), acknowledged_by: 'alice' });
        expect(await service.resolve(escalation.id, 'carol', minutes(4))).toEqual(resolved);

        const refused = await service.acknowledge(escalation.id, 'carol', minutes(5)).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(DomainError);
        expect(refused).toMatchObject({ status: HttpStatus.CONFLICT, code: 'escalation_resolved' });
        expect((refused as Error).message).toMatch(/resolved by bob.*cannot be acknowledged/);
      });

      it('resolves straight from open', async () => {
        const { escalation } = await service.open({
          incident: incident('t7', 'https://a/7'),
          priority: 'medium',
          reason: 'r',
          now: minutes(0),
        });
        expect(await service.resolve(escalation.id, 'alice', minutes(1))).toMatchObject({ status: 'resolved', acknowledged_at: null });
      });

      it('answers 404 for an unknown or malformed id', async () => {
        for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
          await expect(service.acknowledge(id, 'a', T0)).rejects.toMatchObject({ status: HttpStatus.NOT_FOUND });
          await expect(service.resolve(id, 'a', T0)).rejects.toMatchObject({ status: HttpStatus.NOT_FOUND });
          await expect(service.markNotified(id, T0)).rejects.toMatchObject({ status: HttpStatus.NOT_FOUND });
        }
      });

      it('records when the on-call was notified', async () => {
        const { escalation } = await service.open({
          incident: incident('t8', 'https://a/8'),
          priority: 'high',
          reason: 'r',
          now: minutes(0),
        });
        expect(await service.markNotified(escalation.id, minutes(1))).toMatchObject({ id: escalation.id, notified_at: minutes(1) });
      });
    });

    describe('the store itself', () => {
      it('finds the unresolved escalation of a tenant+endpoint, and none once it is resolved', async () => {
        const { escalation } = await store.open({
          incident: incident('s1', 'https://s/1'),
          priority: 'high',
          reason: 'r',
          now: minutes(0),
        });
        expect(await store.findUnresolved('s1', 'https://s/1')).toEqual(escalation);
        expect(await store.findUnresolved('s1', 'https://s/other')).toBeNull();
        expect(await store.findUnresolved('s-other', 'https://s/1')).toBeNull();
        await store.acknowledgeIfOpen(escalation.id, 'alice', minutes(1));
        expect(await store.findUnresolved('s1', 'https://s/1')).toMatchObject({ id: escalation.id, status: 'acknowledged' });
        await store.resolveIfUnresolved(escalation.id, 'alice', minutes(2));
        expect(await store.findUnresolved('s1', 'https://s/1')).toBeNull();
      });

      it('changes state only from the allowed states, and answers null otherwise', async () => {
        const { escalation } = await store.open({ incident: incident('s2', 'https://s/2'), priority: 'low', reason: 'r', now: minutes(0) });
        expect(await store.acknowledgeIfOpen(escalation.id, 'alice', minutes(1))).toMatchObject({
          status: 'acknowledged',
          acknowledged_by: 'alice',
        });
        expect(await store.acknowledgeIfOpen(escalation.id, 'bob', minutes(2))).toBeNull();
        expect(await store.resolveIfUnresolved(escalation.id, 'bob', minutes(3))).toMatchObject({ status: 'resolved', resolved_by: 'bob' });
        expect(await store.resolveIfUnresolved(escalation.id, 'carol', minutes(4))).toBeNull();
        expect(await store.acknowledgeIfOpen(escalation.id, 'carol', minutes(5))).toBeNull();
        expect(await store.findById(escalation.id)).toMatchObject({
          status: 'resolved',
          acknowledged_by: 'alice',
          resolved_by: 'bob',
          resolved_at: minutes(3),
        });
      });

      it('finds nothing for an unknown or malformed id', async () => {
        for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
          expect(await store.findById(id)).toBeNull();
          expect(await store.acknowledgeIfOpen(id, 'a', T0)).toBeNull();
          expect(await store.resolveIfUnresolved(id, 'a', T0)).toBeNull();
          expect(await store.markNotified(id, T0)).toBeNull();
        }
      });

      it('hands out copies: changing a returned escalation changes nothing stored', async () => {
        const { escalation } = await store.open({
          incident: incident('s3', 'https://s/3'),
          priority: 'high',
          reason: 'r',
          now: minutes(0),
        });
        escalation.status = 'resolved';
        escalation.incident.failures = -1;
        expect(await store.findById(escalation.id)).toMatchObject({ status: 'open', incident: { failures: 60 } });
      });
    });

    describe('EscalationService.list', () => {
      it('lists newest first, filtered by status and tenants and limited', async () => {
        const own = await factory();
        try {
          const local = new EscalationService(own.store);
          const a = await local.open({ incident: incident('t', 'https://a'), priority: 'high', reason: 'r', now: minutes(1) });
          const b = await local.open({ incident: incident('t', 'https://b'), priority: 'high', reason: 'r', now: minutes(2) });
          const c = await local.open({ incident: incident('t', 'https://c'), priority: 'high', reason: 'r', now: minutes(3) });
          await local.acknowledge(b.escalation.id, 'alice', minutes(4));

          expect((await local.list({ limit: 10 })).map((e) => e.endpoint)).toEqual(['https://c', 'https://b', 'https://a']);
          expect((await local.list({ status: 'open', limit: 10 })).map((e) => e.id)).toEqual([c.escalation.id, a.escalation.id]);
          expect((await local.list({ status: 'acknowledged', limit: 10 })).map((e) => e.id)).toEqual([b.escalation.id]);
          expect(await local.list({ status: 'resolved', limit: 10 })).toEqual([]);
          expect((await local.list({ limit: 1 })).map((e) => e.id)).toEqual([c.escalation.id]);
          const other = await local.open({ incident: incident('u', 'https://a'), priority: 'high', reason: 'r', now: minutes(5) });
          expect((await local.list({ tenantIds: ['u'], limit: 10 })).map((e) => e.id)).toEqual([other.escalation.id]);
          const openOfT = await local.list({ tenantIds: ['t'], status: 'open', limit: 10 });
          expect(openOfT.map((e) => e.id)).toEqual([c.escalation.id, a.escalation.id]);
          expect(await local.list({ tenantIds: [], limit: 10 })).toEqual([]);
        } finally {
          await own.dispose();
        }
      });
    });
  });
}
