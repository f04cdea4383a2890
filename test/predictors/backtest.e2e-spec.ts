import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { runBacktest } from '../../src/predictors/backtest';
import { SqlOutcomeHistory } from '../../src/predictors/sql-outcome-history.adapter';
import { openDataSource } from '../anomalies/seed-deliveries';
import { ROOT } from '../utils/service-process';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const BAD = 'https://bad.example.com/hook';
const GOOD = 'https://good.example.com/hook';
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

/** A live cycle's history row with one replay action: `worked` says whether every replayed delivery was delivered. */
async function replayCycle(ds: DataSource, endpoint: string, at: Date, worked: boolean): Promise<void> {
  const action = {
    strategy: 'REPLAY_RECENT',
    executed: true,
    probability: 0.63,
    incident: { tenant_id: 't1', endpoint, severity: 'medium', failures: 8, kind: 'failure_burst' },
    replayed: ['d1', 'd2'],
    delivered: worked ? ['d1', 'd2'] : [],
    still_failing: worked ? [] : ['d1', 'd2'],
  };
  await ds.query(
    `INSERT INTO autoheal_history (run_at, incidents_detected, actions_taken, execution_time_ms, dry_run)
     VALUES ($1, 1, $2::jsonb, 3, false)`,
    [at, JSON.stringify([action])],
  );
}

describe('the learned predictor on a seeded database (PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    // Before the window (training): BAD's replays never worked, GOOD's always did.
    for (const h of [40, 39, 38, 37]) await replayCycle(ds, BAD, hoursAgo(h), false);
    for (const h of [40, 39]) await replayCycle(ds, GOOD, hoursAgo(h), true);
    // In the last 24 hours, the same story.
    for (const h of [20, 15, 10, 5, 2]) await replayCycle(ds, BAD, hoursAgo(h), false);
    for (const h of [18, 12, 6]) await replayCycle(ds, GOOD, hoursAgo(h), true);
    // A dry run is no outcome.
    await ds.query(
      `INSERT INTO autoheal_history (run_at, incidents_detected, actions_taken, execution_time_ms, dry_run)
       VALUES ($1, 1, $2::jsonb, 3, true)`,
      [hoursAgo(3), JSON.stringify([{ strategy: 'REPLAY_RECENT', executed: false, incident: { tenant_id: 't1', endpoint: GOOD } }])],
    );
    // Operators' decisions: an acknowledged escalation, one nobody answered for 30 hours, a rejected approval, a lifted throttle.
    await ds.query(
      `INSERT INTO escalations (tenant_id, endpoint, priority, status, reason, created_at, acknowledged_by, acknowledged_at)
       VALUES ('t1', $1, 'high', 'acknowledged', 'x', $2, 'alice', $3), ('t1', $5, 'high', 'open', 'x', $4, NULL, NULL)`,
      [BAD, hoursAgo(9), hoursAgo(8), hoursAgo(31), GOOD],
    );
    const [incident] = await ds.query(
      `INSERT INTO incidents
              (tenant_id, endpoint, kind, severity, state, first_failure_at, last_failure_at, opened_at, updated_at, backlog_size)
       VALUES ('t1', $1, 'sustained_outage', 'critical', 'escalated', $2, $2, $2, $3, 400) RETURNING id`,
      [BAD, hoursAgo(7), hoursAgo(6)],
    );
    await ds.query(
      `INSERT INTO approvals (incident_id, status, plan, requested_at, expires_at, decided_at, decided_by)
       VALUES ($1, 'rejected', '{"count": 400, "oldest_at": null, "target": "x"}', $2, $3, $4, 'bob')`,
      [incident.id, hoursAgo(7), hoursAgo(6), hoursAgo(6.5)],
    );
    await ds.query(
      `INSERT INTO tenant_throttles (tenant_id, factor, until, set_by, created_at, incident_id, lifted_at, lifted_by)
       VALUES ('t1', 0.5, $1, 'system:autoheal', $2, $3, $4, 'carol')`,
      [hoursAgo(4), hoursAgo(4.5), incident.id, hoursAgo(4.4)],
    );
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('reads every recorded outcome: heals, and operators acknowledging, ignoring, rejecting and lifting', async () => {
    const outcomes = await new SqlOutcomeHistory(ds).outcomes(hoursAgo(24), new Date());
    expect(outcomes.map((o) => [o.source, o.strategy, o.endpoint, o.success])).toEqual([
      ['replay', 'REPLAY_RECENT', BAD, false],
      ['replay', 'REPLAY_RECENT', GOOD, true],
      ['replay', 'REPLAY_RECENT', BAD, false],
      ['replay', 'REPLAY_RECENT', GOOD, true],
      ['replay', 'REPLAY_RECENT', BAD, false],
      ['escalation', 'ESCALATE_OPERATOR', BAD, true],
      // Unanswered for 24 hours: an outcome from then on.
      ['escalation', 'ESCALATE_OPERATOR', GOOD, false],
      ['approval', 'RECOVER_BACKLOG', BAD, false],
      ['replay', 'REPLAY_RECENT', GOOD, true],
      ['replay', 'REPLAY_RECENT', BAD, false],
      ['throttle', 'RATE_LIMIT_SOURCE', BAD, false],
      ['replay', 'REPLAY_RECENT', BAD, false],
    ]);
    expect(outcomes.find((o) => o.source === 'approval')?.incident).toMatchObject({
      kind: 'sustained_outage',
      severity: 'critical',
      failures: 400,
    });
    const older = await new SqlOutcomeHistory(ds).outcomes(hoursAgo(48), hoursAgo(24));
    expect(older.map((o) => [o.source, o.endpoint, o.success])).toEqual([
      ['replay', BAD, false],
      ['replay', GOOD, true],
      ['replay', BAD, false],
      ['replay', GOOD, true],
      ['replay', BAD, false],
      ['replay', BAD, false],
    ]);
  });

  it('learns from them: it defers the endpoint whose replays never work and scores better than the rules (Brier)', async () => {
    const history = new SqlOutcomeHistory(ds);
    const report = runBacktest(await history.outcomes(hoursAgo(48), hoursAgo(24)), await history.outcomes(hoursAgo(24), new Date()));
    const bad = report.rows.filter((r) => r.endpoint === BAD && r.source === 'replay');
    expect(bad.map((r) => [r.rules_decision, r.learned_decision])).toEqual(Array(5).fill(['REPLAY_RECENT', 'DEFER_AND_MONITOR']));
    const good = report.rows.filter((r) => r.endpoint === GOOD && r.source === 'replay');
    expect(good.map((r) => r.learned_decision)).toEqual(Array(3).fill('REPLAY_RECENT'));
    expect(report.brier.learned!).toBeLessThan(report.brier.rules!);
  });

  it('npm run backtest -- --since 24h prints both predictors side by side with their Brier scores', () => {
    const script = join(ROOT, 'dist', 'bench', 'backtest.js');
    if (!existsSync(script)) throw new Error('dist/ is missing: run `npm run build` (npm test does it for you)');
    const run = spawnSync('node', [script, '--since', '24h'], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: db.url },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Backtest .*: 12 recorded outcomes \(4 worked\), learned predictor trained on 6 earlier ones/);
    expect(run.stdout).toMatch(/observed\s+worked\s+rules decision\s+learned decision\s+rules p\s+learned p/);
    expect(run.stdout).toMatch(/REPLAY_RECENT\s+no\s+REPLAY_RECENT\s+DEFER_AND_MONITOR\s+0\.63\s+0\.\d\d/);
    const [, rules, learned] = /Brier score \(lower is better\): rules (\d\.\d{4})\s+learned (\d\.\d{4})/.exec(run.stdout) ?? [];
    expect(Number(learned)).toBeLessThan(Number(rules));

    const bad = spawnSync('node', [script, '--since', 'yesterday'], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url },
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--since must be a duration such as 24h/);
  });
});
