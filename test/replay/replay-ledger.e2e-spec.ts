import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { HttpReplayer } from '../../src/replay/http-replayer.adapter';
import { ManualClock } from '../../src/clock/clock';
import { MemoryDeliveryStore } from '../../src/deliveries/memory-delivery-store.adapter';
import { SqlDeliveryStore } from '../../src/deliveries/sql-delivery-store.adapter';
import { MemoryAuditLog } from '../../src/audit/memory-audit-log.adapter';
import { MemoryReplayLedger } from '../../src/replay/memory-replay-ledger.adapter';
import { ReplayLedger } from '../../src/replay/replay-ledger.port';
import { SqlReplayLedger } from '../../src/replay/sql-replay-ledger.adapter';
import { replayRequestFor } from '../../src/replay/replay.types';
import { Replayer } from '../../src/replay/replayer.port';
import { sqlStore } from '../utils/sql-store';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { TestReceiver } from './receiver';
import { describeReplayLedgerContract, ReplayLedgerUnderTest } from './replay-ledger.contract';

interface Seed {
  status?: string;
  target: string;
  attempts?: number;
  payload?: unknown;
  headers?: Record<string, string> | null;
  meta?: Record<string, unknown>;
}

describe('Replay: claim, send, settle (PostgreSQL + a local receiver)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let ledger: ReplayLedger;
  let replayer: Replayer;
  let dataSource: DataSource;
  let receiver: TestReceiver;
  let seq = 0;

  const actor = 'system:autoheal';
  const now = new Date('2030-01-01T12:00:00.000Z');
  const later = new Date('2030-01-01T12:00:02.000Z');
  const ctx = (cycleId: string | null = randomUUID(), at = now) => ({ cycleId, actor, now: at, cycleStartedAt: at });

  async function seed(s: Seed): Promise<string> {
    const id = `dlv_${++seq}_${randomUUID().slice(0, 8)}`;
    await dataSource.query(
      `INSERT INTO deliveries (id, tenant_id, target, status, http_status, error, triage_label, triage_score, attempts, payload,
        headers, meta)
       VALUES ($1, 'tenant_a', $2, $3, 503, 'HTTP 503', 'transient_endpoint_down', 0.95, $4, $5, $6, $7)`,
      [
        id,
        s.target,
        s.status ?? 'failed',
        s.attempts ?? 1,
        JSON.stringify(s.payload ?? { event: 'order.paid', id }),
        s.headers === undefined ? null : JSON.stringify(s.headers),
        JSON.stringify(s.meta ?? {}),
      ],
    );
    return id;
  }
  const delivery = async (id: string) => (await dataSource.query(`SELECT * FROM deliveries WHERE id = $1`, [id]))[0];
  const attempts = (id: string) => dataSource.query(`SELECT * FROM delivery_attempts WHERE delivery_id = $1 ORDER BY id`, [id]);

  beforeAll(async () => {
    receiver = await new TestReceiver().start();
    db = await createTestDatabase();
    t = await createTestApp({
      env: { DATABASE_URL: db.url, DATABASE_POOL_SIZE: '12', REPLAY_ALLOW_PRIVATE_TARGETS: 'true', REPLAY_TIMEOUT_MS: '5000' },
    });
    ledger = t.app.get(ReplayLedger);
    replayer = t.app.get(Replayer);
    dataSource = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await receiver?.stop();
  });

  it('wires the HTTP replayer and the SQL ledger into the app', () => {
    expect(replayer).toBeInstanceOf(HttpReplayer);
    expect(ledger).toBeInstanceOf(SqlReplayLedger);
  });

  it('a 2xx replay makes the delivery delivered, marks it autoheal and records one succeeded attempt', async () => {
    const payload = { event: 'invoice.created', amount: 42, lines: [{ sku: 'a', qty: 2 }] };
    const id = await seed({
      target: receiver.url('/status/200?tenant=a'),
      attempts: 3,
      payload,
      headers: {
        'X-Signature': 'sha256=abc',
        Host: 'evil.example',
        'Content-Length': '999',
        Connection: 'close',
        'Transfer-Encoding': 'chunked',
      },
      meta: { source: 'dispatcher' },
    });
    const cycleId = randomUUID();

    const claim = await ledger.claim(id, ctx(cycleId));
    expect(claim).toMatchObject({
      deliveryId: id,
      tenantId: 'tenant_a',
      target: receiver.url('/status/200?tenant=a'),
      payload,
      replayKey: `${id}:autoheal:3`,
      attemptNumber: 3,
      cycleId,
      actor,
    });
    const result = await replayer.send(replayRequestFor(claim!));
    expect(result).toMatchObject({ ok: true, httpStatus: 200, error: null });
    const settlement = await ledger.settle(claim!, result, later);
    expect(settlement).toMatchObject({ attemptId: claim!.attemptId, outcome: 'succeeded', deliveryStatus: 'delivered', attempts: 4 });

    const row = await delivery(id);
    expect(row).toMatchObject({ status: 'delivered', attempts: 4, http_status: 200, error: null });
    expect(row.last_attempt_at.toISOString()).toBe(later.toISOString());
    expect(row.meta).toEqual({ source: 'dispatcher', autoheal: true, last_replay_attempt_id: claim!.attemptId });
    const rows = await attempts(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: claim!.attemptId,
      source: 'autoheal',
      actor,
      outcome: 'succeeded',
      http_status: 200,
      error: null,
      replay_key: `${id}:autoheal:3`,
      cycle_id: cycleId,
    });
    expect(rows[0].duration_ms).toEqual(expect.any(Number));
    expect(rows[0].finished_at.toISOString()).toBe(later.toISOString());

    const seen = receiver.receivedOn('/status/200?tenant=a');
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('POST');
    expect(JSON.parse(seen[0].body)).toEqual(payload);
    expect(seen[0].headers).toMatchObject({
      'idempotency-key': id,
      'x-aetherlink-replay': 'autoheal',
      'x-aetherlink-delivery-id': id,
      'x-signature': 'sha256=abc',
      'content-type': 'application/json',
      'user-agent': expect.stringMatching(/^AetherLink-AutoHeal\//),
    });
    expect(seen[0].headers.host).toBe(new URL(receiver.url('/')).host);
    expect(seen[0].headers['content-length']).toBe(String(Buffer.byteLength(seen[0].body)));
    expect(seen[0].headers['transfer-encoding']).toBeUndefined();
  });

  it('a 503 keeps the delivery failed, counts the attempt, re-triages it and records a failed attempt', async () => {
    const id = await seed({ target: receiver.url('/status/503'), attempts: 2, status: 'dead_letter' });
    await dataSource.query(`UPDATE deliveries SET triage_label = 'unknown', triage_score = 0.2 WHERE id = $1`, [id]);

    const claim = await ledger.claim(id, ctx());
    const result = await replayer.send(replayRequestFor(claim!));
    expect(result).toMatchObject({ ok: false, httpStatus: 503, error: 'HTTP 503' });
    await ledger.settle(claim!, result, later);

    const row = await delivery(id);
    expect(row).toMatchObject({
      status: 'dead_letter',
      attempts: 3,
      http_status: 503,
      error: 'HTTP 503',
      triage_label: 'transient_endpoint_down',
    });
    expect(row.triage_score).toBeCloseTo(0.95);
    expect(row.meta).toEqual({ autoheal: true, last_replay_attempt_id: claim!.attemptId });
    const rows = await attempts(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: 'failed', source: 'autoheal', http_status: 503, error: 'HTTP 503' });
    expect(receiver.receivedOn('/status/503').filter((r) => r.headers['idempotency-key'] === id)).toHaveLength(1);
  });

  it('a cycle that read the delivery before another instance re-sent it does not send it again, even after that send failed', async () => {
    const id = await seed({ target: receiver.url('/status/503'), attempts: 0 });
    const first = await ledger.claim(id, ctx(randomUUID(), later));
    await ledger.settle(first!, await replayer.send(replayRequestFor(first!)), later);
    // The other instance's cycle started (read its candidates) at `now`, before that replay.
    expect(await ledger.claim(id, { cycleId: randomUUID(), actor, now: later, cycleStartedAt: now })).toBeNull();
    expect(receiver.receivedOn('/status/503').filter((r) => r.headers['idempotency-key'] === id)).toHaveLength(1);
  });

  it('abandonStale leaves attempts of other sources alone', async () => {
    const id = await seed({ target: receiver.url('/status/200') });
    await dataSource.query(
      `INSERT INTO delivery_attempts (delivery_id, attempted_at, source, actor, outcome) VALUES ($1, $2, 'operator', 'alice', 'pending')`,
      [id, now],
    );
    await ledger.abandonStale(new Date(now.getTime() + 60_000));
    expect((await attempts(id))[0]).toMatchObject({ source: 'operator', outcome: 'pending' });
  });
});

describeReplayLedgerContract('PostgreSQL', async () => {
  const { store, dispose } = await sqlStore((dataSource): Omit<ReplayLedgerUnderTest, 'dispose'> => {
    const deliveries = new SqlDeliveryStore(dataSource, new ManualClock());
    return {
      ledger: new SqlReplayLedger(dataSource),
      deliveries,
      delivery: (id) => deliveries.findById(id),
      replayAttempts: async (id) =>
        ((await deliveries.findById(id))?.attempt_history ?? []).filter((a) => a.source === 'autoheal').reverse(),
      auditTrail: (id) =>
        dataSource.query(
          `SELECT action, operator_id, tenant_id, meta FROM operator_audit WHERE resource_id = $1 ORDER BY at, action DESC`,
          [id],
        ),
    };
  }, 12);
  return { ...store, dispose };
});

describeReplayLedgerContract('in memory, over MemoryDeliveryStore', async () => {
  const deliveries = new MemoryDeliveryStore(new ManualClock());
  const audit = new MemoryAuditLog(new ManualClock());
  const ledger = new MemoryReplayLedger(deliveries, audit);
  return {
    ledger,
    deliveries,
    delivery: (id) => ledger.findDelivery(id),
    replayAttempts: async (id) => ledger.attemptsOf(id),
    auditTrail: async (id) =>
      (await audit.query({ limit: 1000 }))
        .filter((entry) => entry.resource_id === id)
        .reverse()
        .map(({ action, operator_id, tenant_id, meta }) => ({ action, operator_id, tenant_id, meta })),
    dispose: async () => undefined,
  };
});
