import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { burst, dispatchAndReport } from '../utils/dispatcher';
import { HttpReceiver } from '../utils/http-receiver';
import { TEST_REDIS_URL } from '../utils/pg-admin';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

/**
 * The story an on-call engineer cares about, end to end over HTTP with real PostgreSQL, real
 * Redis, a real webhook receiver and a real Slack-style notification endpoint.
 */
describe('the healing loop, end to end', () => {
  let db: TestDatabase;
  let t: TestApp;
  let receiver: HttpReceiver;
  let slack: HttpReceiver;
  let operator: string;
  let ingest: string;
  const http = () => request(t.app.getHttpServer());
  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> =>
    t.app.get(DataSource).query(text, params);
  const run = (dryRun: boolean) => http().post(`/autoheal/run?dry_run=${dryRun}`).auth(operator, { type: 'bearer' });

  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = await new HttpReceiver().start();
    slack = await new HttpReceiver().start();
    t = await createTestApp({
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
        NOTIFY_WEBHOOK_URL: slack.url('/slack'),
      },
    });
    operator = t.token('operator', 'oncall-alice');
    ingest = t.token('ingest', 'dispatcher-1');
    // A healthy history: the endpoint delivered fine for the past hour (M4 learns it is reliable).
    receiver.status = 200;
    await dispatchAndReport(t.app, ingest, burst('ok', 'tenant-123', receiver.url('/orders'), 20, 40 * 60));
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
    await slack?.stop();
    await db?.drop();
  });

  const failing = burst('dlv', 'tenant-123', '', 10).map((d, i) => ({ ...d, id: `dlv_${String(i + 1).padStart(3, '0')}` }));

  it('sees the endpoint fail a burst of deliveries', async () => {
    receiver.status = 503;
    const statuses = await dispatchAndReport(
      t.app,
      ingest,
      failing.map((d) => ({ ...d, target: receiver.url('/orders') })),
    );
    expect(statuses).toEqual(Array(10).fill(503));
    const anomalies = await http().get('/anomalies/current').auth(operator, { type: 'bearer' }).expect(200);
    expect(anomalies.body.incidents).toEqual([
      expect.objectContaining({ tenant_id: 'tenant-123', endpoint: receiver.url('/orders'), kind: 'failure_burst', failures: 10 }),
    ]);
  });

  it('dry run: says what it would replay, and the receiver sees nothing', async () => {
    receiver.status = 200; // the endpoint has recovered
    receiver.received.length = 0;
    const res = await run(true).expect(200);
    expect(res.body).toMatchObject({ incidents_detected: 1, dry_run: true, total_replays: 10, actions_skipped: [] });
    expect(res.body.actions_taken).toEqual([
      expect.objectContaining({
        strategy: 'REPLAY_RECENT',
        dry_run: true,
        executed: false,
        count: 10,
        would_replay: expect.arrayContaining(failing.map((d) => d.id)),
        incident: expect.objectContaining({ tenant_id: 'tenant-123', endpoint: receiver.url('/orders'), failures: 10 }),
      }),
    ]);
    expect(receiver.received).toHaveLength(0);
    const [{ count }] = await sql<{ count: string }>(`SELECT COUNT(*) FROM deliveries WHERE meta->>'autoheal' = 'true'`);
    expect(Number(count)).toBe(0);
    const attempts = await sql(`SELECT id FROM delivery_attempts WHERE source = 'autoheal'`);
    expect(attempts).toHaveLength(0);
  });

  it('live run: replays each failed delivery once, with the idempotency header, and they become delivered', async () => {
    const res = await run(false).expect(200);
    expect(res.body).toMatchObject({ incidents_detected: 1, dry_run: false, total_replays: 10, total_escalations: 0, total_deferrals: 0 });
    const [action] = res.body.actions_taken;
    expect(action).toMatchObject({ strategy: 'REPLAY_RECENT', executed: true, count: 10, probability: expect.any(Number) });
    expect(action.probability).toBeGreaterThanOrEqual(0.7);
    expect([...action.replayed].sort()).toEqual(failing.map((d) => d.id).sort());

    const got = receiver.at('/orders');
    expect(got).toHaveLength(10);
    expect(got.map((r) => r.headers['idempotency-key']).sort()).toEqual(failing.map((d) => d.id).sort());
    for (const r of got) {
      expect(r.headers['x-aetherlink-replay']).toBe('autoheal');
      const id = r.headers['idempotency-key'] as string;
      expect(r.body).toEqual(failing.find((d) => d.id === id)!.payload);
    }

    // The guide's own verification query.
    const [{ count }] = await sql<{ count: string }>(`SELECT COUNT(*) FROM deliveries WHERE meta->>'autoheal' = 'true'`);
    expect(Number(count)).toBe(10);
    const statuses = await sql<{ status: string }>(`SELECT DISTINCT status FROM deliveries WHERE id LIKE 'dlv_%'`);
    expect(statuses).toEqual([{ status: 'delivered' }]);
    const attempts = await sql<{ outcome: string; actor: string }>(
      `SELECT outcome, actor FROM delivery_attempts WHERE source = 'autoheal'`,
    );
    expect(attempts).toHaveLength(10);
    expect(new Set(attempts.map((a) => `${a.outcome}/${a.actor}`))).toEqual(new Set(['succeeded/system:autoheal']));

    const audit = await http().get('/operator/audit?action=autoheal_replay').auth(operator, { type: 'bearer' }).expect(200);
    expect(audit.body).toEqual([
      expect.objectContaining({
        operator_id: 'system:autoheal',
        action: 'autoheal_replay',
        tenant_id: 'tenant-123',
        resource_id: receiver.url('/orders'),
      }),
    ]);
    const runs = await http().get('/operator/audit?action=autoheal_run').auth(operator, { type: 'bearer' }).expect(200);
    expect(runs.body.map((e: { operator_id: string }) => e.operator_id)).toEqual(['oncall-alice', 'oncall-alice']);
  });

  it('a new burst on the same endpoint waits for the cooldown, until an operator clears it', async () => {
    receiver.status = 503;
    const second = burst('dlv2', 'tenant-123', receiver.url('/orders'), 8, 20);
    await dispatchAndReport(t.app, ingest, second);
    receiver.status = 200;
    receiver.received.length = 0;

    const blocked = await run(false).expect(200);
    expect(blocked.body.actions_taken).toEqual([]);
    expect(blocked.body.actions_skipped).toEqual([
      expect.objectContaining({
        strategy: 'REPLAY_RECENT',
        check: 'cooldown',
        reason: expect.stringMatching(/^Cooldown active \(\d+(\.\d)?m < 5m\)$/),
      }),
    ]);
    expect(receiver.received).toHaveLength(0);

    // The guide's own curl line: the endpoint written raw in the path.
    await http()
      .delete(`/autoheal/cooldown/${receiver.url('/orders')}`)
      .auth(operator, { type: 'bearer' })
      .expect(204);
    const cleared = await run(false).expect(200);
    expect(cleared.body.actions_taken).toEqual([expect.objectContaining({ strategy: 'REPLAY_RECENT', count: 8 })]);
    expect(
      receiver
        .at('/orders')
        .map((r) => r.headers['idempotency-key'])
        .sort(),
    ).toEqual(second.map((d) => d.id).sort());
  });

  it('escalates a burst of more than 50 permanent failures and notifies the operator', async () => {
    receiver.status = 410;
    const gone = burst('gone', 'tenant-456', receiver.url('/legacy'), 60, 30);
    await dispatchAndReport(t.app, ingest, gone);
    receiver.received.length = 0;

    const res = await run(false).expect(200);
    expect(res.body.total_escalations).toBe(1);
    const escalation = res.body.actions_taken.find((a: { strategy: string }) => a.strategy === 'ESCALATE_OPERATOR');
    expect(escalation).toMatchObject({
      executed: true,
      created_incident: true,
      priority: 'high',
      notified: true,
      message: `Escalated incident for ${receiver.url('/legacy')} – requires operator review`,
      incident: expect.objectContaining({ tenant_id: 'tenant-456', failures: 60 }),
    });
    expect(receiver.received).toHaveLength(0); // nothing replayed at a gone endpoint
    expect(slack.at('/slack')).toHaveLength(1);
    expect(JSON.stringify(slack.at('/slack')[0].body)).toContain(receiver.url('/legacy'));

    const open = await http().get('/autoheal/escalations?status=open').auth(operator, { type: 'bearer' }).expect(200);
    expect(open.body).toEqual([
      expect.objectContaining({ id: escalation.escalation_id, tenant_id: 'tenant-456', endpoint: receiver.url('/legacy'), status: 'open' }),
    ]);

    // The same incident next cycle: no second page, the open escalation is bumped.
    const again = await run(false).expect(200);
    expect(again.body.actions_skipped).toEqual(
      expect.arrayContaining([expect.objectContaining({ strategy: 'ESCALATE_OPERATOR', check: 'already_escalated' })]),
    );
    expect(slack.at('/slack')).toHaveLength(1);

    await http().post(`/autoheal/escalations/${escalation.escalation_id}/ack`).auth(operator, { type: 'bearer' }).expect(200);
    const acked = await http().get('/autoheal/escalations?status=acknowledged').auth(operator, { type: 'bearer' }).expect(200);
    expect(acked.body).toEqual([expect.objectContaining({ id: escalation.escalation_id, acknowledged_by: 'oncall-alice' })]);
  });

  it("keeps every cycle in autoheal_history, where the guide's monitoring SQL runs as written", async () => {
    // Run verbatim: the guide's query (it counts cycles whose actions_taken is not NULL; ours is always a list).
    const [{ success_rate }] = await sql<{ success_rate: number }>(`
      SELECT
        COUNT(CASE WHEN actions_taken IS NOT NULL THEN 1 END)::float /
        COUNT(*) as success_rate
      FROM autoheal_history
      WHERE run_at >= NOW() - INTERVAL '24 hours'`);
    expect(typeof success_rate).toBe('number');
    const distribution = await sql<{ strategy: string; count: string }>(`
      SELECT
        action->>'strategy' as strategy,
        COUNT(*) as count
      FROM autoheal_history,
           jsonb_array_elements(actions_taken) as action
      WHERE run_at >= NOW() - INTERVAL '24 hours'
      GROUP BY strategy
      ORDER BY count DESC`);
    expect(distribution).toEqual(
      expect.arrayContaining([
        { strategy: 'REPLAY_RECENT', count: '3' }, // one dry run, two live
        { strategy: 'ESCALATE_OPERATOR', count: '1' },
      ]),
    );

    const last = await http().get('/autoheal/last').auth(operator, { type: 'bearer' }).expect(200);
    expect(Object.keys(last.body).sort()).toEqual(
      [
        'actions_skipped',
        'actions_taken',
        'dry_run',
        'execution_time_ms',
        'incidents_detected',
        'run_at',
        'total_deferrals',
        'total_escalations',
        'total_replays',
      ].sort(),
    );
    const history = await http().get('/autoheal/history?limit=1000').auth(operator, { type: 'bearer' }).expect(200);
    expect(history.body[0]).toEqual({
      timestamp: last.body.run_at,
      incident: expect.any(Object),
      strategy: expect.any(String),
      result: expect.any(Object),
    });
    expect(
      history.body.filter((e: { strategy: string; result: { executed: boolean } }) => e.strategy === 'REPLAY_RECENT' && e.result.executed),
    ).toHaveLength(2);
  });
});
