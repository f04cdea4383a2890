import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Clock, ManualClock } from '../../src/clock/clock';
import { Notifier } from '../../src/escalation/notifier.port';
import { openDataSource, seedDeliveries } from '../anomalies/seed-deliveries';
import { HttpReceiver } from '../utils/http-receiver';
import { TEST_REDIS_URL } from '../utils/pg-admin';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const TENANT = 'tenant-dupes';
const D1 = 'https://dupes.example.com/one';
const D2 = 'https://dupes.example.com/two';
const SIGNATURE = 'upstream timeout after <n>ms for delivery <id>';

/** 20 failures whose messages differ only by numbers and ids, on an endpoint that usually delivers. */
async function duplicates(dataSource: DataSource, target: string, triage: string): Promise<void> {
  await seedDeliveries(dataSource, NOW, [{ tenant: TENANT, target, minutesAgo: 6, spreadToMinutesAgo: 59, count: 100 }]);
  for (let i = 0; i < 20; i++) {
    await seedDeliveries(dataSource, NOW, [
      {
        tenant: TENANT,
        target,
        minutesAgo: 0.2 + i * 0.2,
        status: 'failed',
        triage,
        error: `Upstream timeout after ${1000 + i * 7}ms for delivery dlv_${i}x`,
      },
    ]);
  }
}

describe('SILENCE_DUPES end to end (PostgreSQL, Redis, a Slack-compatible receiver)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let t: TestApp;
  let slack: HttpReceiver;
  const clock = new ManualClock(NOW);
  const http = () => request(t.app.getHttpServer());
  const run = () => http().post('/autoheal/run').auth(t.token('operator'), { type: 'bearer' }).expect(200);
  const suppressed = async () => {
    const res = await http().get('/metrics').expect(200);
    return Number(/^autoheal_notifications_suppressed_total (\d+)/m.exec(res.text)?.[1]);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    slack = await new HttpReceiver().start();
    t = await createTestApp({
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
        NOTIFY_WEBHOOK_URL: slack.url('/slack'),
      },
      overrides: [[Clock, clock]],
    });
  });
  afterAll(async () => {
    await t?.close();
    await slack?.stop();
    await dataSource?.destroy();
    await db?.drop();
  });

  it('silences the duplicated signature of an unclear pattern for 15 minutes instead of deferring it', async () => {
    await duplicates(dataSource, D1, 'unknown');
    const res = await run();
    expect(res.body.actions_taken).toEqual([
      expect.objectContaining({
        strategy: 'SILENCE_DUPES',
        rationale: expect.stringMatching(
          /^Duplicate errors: 100% of 20 failures \(> 90%\) share the signature "upstream timeout after <n>ms for delivery <id>" \(/,
        ),
        silence: {
          id: expect.any(String),
          signature: SIGNATURE,
          duration_minutes: 15,
          dedup_window_seconds: 300,
          max_occurrences: 10,
          ends_at: new Date(NOW.getTime() + 15 * 60_000).toISOString(),
        },
      }),
    ]);
    const list = await http().get('/autoheal/silences').auth(t.token('operator'), { type: 'bearer' }).expect(200);
    expect(list.body.silences).toEqual([
      expect.objectContaining({ signature: SIGNATURE, tenant_id: TENANT, status: 'active', occurrences: 0, created_by: 'system:autoheal' }),
    ]);
  });

  it('the escalation of another endpoint with the same errors is silenced: no page, counted as suppressed', async () => {
    await duplicates(dataSource, D2, 'permanent_4xx');
    const before = await suppressed();
    const res = await run();
    expect(res.body.actions_taken).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ strategy: 'ESCALATE_OPERATOR', incident: expect.objectContaining({ endpoint: D2 }) }),
      ]),
    );
    // D1's signature is silenced already: the failure pattern decides again (a deferral), no second silence.
    expect(res.body.actions_taken.filter((a: { strategy: string }) => a.strategy === 'SILENCE_DUPES')).toEqual([]);
    expect(slack.received).toEqual([]);
    expect(await suppressed()).toBe(before + 1);
    const [silence] = (await http().get('/autoheal/silences').auth(t.token('operator'), { type: 'bearer' })).body.silences;
    expect(silence).toMatchObject({ occurrences: 1, suppressed: 1 });
  });

  it('the tenth occurrence during the silence sends one escalation; later ones stay silent', async () => {
    const notifier = t.app.get(Notifier);
    const page = (endpoint: string) =>
      notifier.notify({
        title: `Auto-heal escalation: ${endpoint}`,
        text: 'x',
        severity: 'warning',
        tenant_id: TENANT,
        endpoint,
        signature: SIGNATURE,
      });
    for (let i = 2; i <= 9; i++) await page(`https://dupes.example.com/e${i}`);
    expect(slack.received).toEqual([]);
    await page('https://dupes.example.com/e10');
    await page('https://dupes.example.com/e11');
    expect(slack.received).toHaveLength(1);
    expect(JSON.stringify(slack.received[0].body)).toContain('Silenced error keeps recurring');
  });

  it('an operator ends the silence (DELETE, audited); pages go out again', async () => {
    const [silence] = (await http().get('/autoheal/silences').auth(t.token('operator'), { type: 'bearer' })).body.silences;
    await http().delete(`/autoheal/silences/${silence.id}`).auth(t.token('viewer'), { type: 'bearer' }).expect(403);
    await http()
      .delete(`/autoheal/silences/${silence.id}`)
      .auth(t.token('operator', 'other-support', '1h', ['someone-else']), { type: 'bearer' })
      .expect(404);
    await http().delete(`/autoheal/silences/${silence.id}`).auth(t.token('operator', 'oncall-bob'), { type: 'bearer' }).expect(204);
    await http().delete(`/autoheal/silences/${silence.id}`).auth(t.token('operator', 'oncall-bob'), { type: 'bearer' }).expect(404);
    const expired = await http().get('/autoheal/silences?status=expired').auth(t.token('operator'), { type: 'bearer' }).expect(200);
    expect(expired.body.silences).toEqual([expect.objectContaining({ id: silence.id, status: 'expired', expired_by: 'oncall-bob' })]);
    const audit = await dataSource.query(`SELECT operator_id, resource_id FROM operator_audit WHERE action = 'autoheal_silence_expire'`);
    expect(audit).toEqual([{ operator_id: 'oncall-bob', resource_id: silence.id }]);

    await t.app
      .get(Notifier)
      .notify({ title: 'after', text: 'x', severity: 'warning', tenant_id: TENANT, endpoint: D1, signature: SIGNATURE });
    expect(slack.received).toHaveLength(2);
  });
});
