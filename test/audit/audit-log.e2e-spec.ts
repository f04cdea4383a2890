import { AuditLog } from '../../src/audit/audit-log.port';
import { MemoryAuditLog } from '../../src/audit/memory-audit-log.adapter';
import { SqlAuditLog } from '../../src/audit/sql-audit-log.adapter';
import { ManualClock } from '../../src/clock/clock';
import { sharedSqlDatabase, sqlStore } from '../utils/sql-store';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

const sql = sharedSqlDatabase(2);

/** The trail cannot be emptied between tests (that is the point), so each SQL test gets a database of its own. */
async function freshSqlAuditLog(clock: ManualClock): Promise<{ audit: AuditLog; done: () => Promise<void> }> {
  const { store, dispose } = await sqlStore((dataSource) => new SqlAuditLog(dataSource, clock));
  return { audit: store, done: dispose };
}

// The in-memory adapter ships as a real implementation, so it must answer exactly as the SQL one.
describe.each([
  ['SqlAuditLog', freshSqlAuditLog],
  ['MemoryAuditLog', async (clock: ManualClock) => ({ audit: new MemoryAuditLog(clock), done: async () => undefined })],
] as Array<[string, (clock: ManualClock) => Promise<{ audit: AuditLog; done: () => Promise<void> }>]>)('%s', (_name, build) => {
  let clock: ManualClock;
  let audit: AuditLog;
  let done: () => Promise<void>;

  afterEach(() => done());

  beforeEach(async () => {
    clock = new ManualClock(minutes(100));
    ({ audit, done } = await build(clock));
    await audit.record({
      operator_id: 'system:autoheal',
      action: 'autoheal_replay',
      resource_type: 'delivery',
      resource_id: 'https://a/h',
      tenant_id: 't1',
      meta: { n: 1 },
      at: minutes(1),
    });
    await audit.record({
      operator_id: 'alice',
      action: 'escalation_acknowledge',
      resource_type: 'escalation',
      resource_id: 'e1',
      tenant_id: 't2',
      at: minutes(3),
    });
    await audit.record({
      operator_id: 'system:autoheal',
      action: 'autoheal_replay',
      resource_type: 'delivery',
      tenant_id: 't2',
      meta: { nested: { list: [1, 2] } },
      at: minutes(2),
    });
  });

  it('answers newest first, with every field', async () => {
    const entries = await audit.query({ limit: 10 });
    expect(entries.map((e) => e.at.toISOString())).toEqual([minutes(3), minutes(2), minutes(1)].map((d) => d.toISOString()));
    expect(entries[2]).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      at: minutes(1),
      operator_id: 'system:autoheal',
      action: 'autoheal_replay',
      resource_type: 'delivery',
      resource_id: 'https://a/h',
      tenant_id: 't1',
      meta: { n: 1 },
    });
    expect(entries[0]).toMatchObject({ meta: {}, resource_id: 'e1' });
    expect(entries[1]).toMatchObject({ resource_id: null, meta: { nested: { list: [1, 2] } } });
  });

  it('filters by action, tenant, a set of tenants and since (inclusive), and limits', async () => {
    expect((await audit.query({ action: 'autoheal_replay', limit: 10 })).map((e) => e.at)).toEqual([minutes(2), minutes(1)]);
    expect((await audit.query({ tenant_id: 't2', limit: 10 })).map((e) => e.action)).toEqual(['escalation_acknowledge', 'autoheal_replay']);
    expect((await audit.query({ since: minutes(2), limit: 10 })).map((e) => e.at)).toEqual([minutes(3), minutes(2)]);
    expect((await audit.query({ action: 'autoheal_replay', tenant_id: 't2', since: minutes(2), limit: 10 })).map((e) => e.at)).toEqual([
      minutes(2),
    ]);
    expect((await audit.query({ tenant_ids: ['t1', 'other'], limit: 10 })).map((e) => e.at)).toEqual([minutes(1)]);
    expect(await audit.query({ tenant_ids: [], limit: 10 })).toEqual([]);
    expect((await audit.query({ limit: 1 })).map((e) => e.at)).toEqual([minutes(3)]);
    expect(await audit.query({ action: 'nothing_like_this', limit: 10 })).toEqual([]);
  });

  it("gives a cycle's entries oldest first, from its start on, by the cycle id in their meta", async () => {
    const entry = (action: string, cycleId: unknown, minute: number) =>
      audit.record({ operator_id: 'system:autoheal', action, resource_type: 'delivery', meta: { cycle_id: cycleId }, at: minutes(minute) });
    await entry('send_late', 'c1', 12);
    await entry('send_early', 'c1', 10);
    await entry('other_cycle', 'c2', 11);
    await entry('before_its_start', 'c1', 9);
    await entry('no_cycle', null, 11);
    expect((await audit.ofCycle('c1', minutes(10))).map((e) => e.action)).toEqual(['send_early', 'send_late']);
    expect(await audit.ofCycle('c1', minutes(10))).toEqual([
      expect.objectContaining({ at: minutes(10), tenant_id: null, meta: { cycle_id: 'c1' } }),
      expect.objectContaining({ at: minutes(12) }),
    ]);
    expect(await audit.ofCycle('c3', minutes(0))).toEqual([]);
  });

  it('stamps entries without `at` with the clock', async () => {
    await audit.record({ operator_id: 'bob', action: 'kill_switch_on', resource_type: 'global' });
    const [latest] = await audit.query({ limit: 1 });
    expect(latest).toMatchObject({ operator_id: 'bob', at: minutes(100), tenant_id: null, resource_id: null });
  });
});

describe('operator_audit table', () => {
  it('is append-only: the trigger refuses UPDATE and DELETE and the row stays as written', async () => {
    const audit = new SqlAuditLog(sql.dataSource, new ManualClock(T0));
    await audit.record({ operator_id: 'alice', action: 'tamper_target', resource_type: 'x', meta: { original: true } });
    await expect(sql.dataSource.query(`UPDATE operator_audit SET operator_id = 'mallory' WHERE action = 'tamper_target'`)).rejects.toThrow(
      /operator_audit is append-only: UPDATE is not allowed/,
    );
    await expect(sql.dataSource.query(`DELETE FROM operator_audit WHERE action = 'tamper_target'`)).rejects.toThrow(
      /operator_audit is append-only: DELETE is not allowed/,
    );
    const [entry] = await audit.query({ action: 'tamper_target', limit: 10 });
    expect(entry).toMatchObject({ operator_id: 'alice', meta: { original: true } });
  });
});
