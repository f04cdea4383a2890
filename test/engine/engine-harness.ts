import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Incident } from '../../src/anomalies/incident';
import { AnomalyDetector } from '../../src/anomalies/anomaly-detector.port';
import { ScriptedAnomalyDetector } from '../../src/anomalies/scripted-anomaly-detector.adapter';
import { Clock, ManualClock } from '../../src/clock/clock';
import { Notifier } from '../../src/escalation/notifier.port';
import { IncidentStore } from '../../src/incidents/incident-store.port';
import { RecordingNotifier } from '../../src/escalation/recording-notifier.adapter';
import { Insights } from '../../src/insights/insights.port';
import { FixedInsights } from '../../src/insights/fixed-insights.adapter';
import { Replayer } from '../../src/replay/replayer.port';
import { RecordingReplayer } from '../../src/replay/recording-replayer.adapter';
import { DEFAULT_RULES } from '../../src/rules/rules.defaults';
import { RulesSource } from '../../src/rules/rules.source';
import type { AutohealRules } from '../../src/rules/rules.types';
import { validateRules } from '../../src/rules/rules.validation';
import { TEST_REDIS_URL } from '../utils/pg-admin';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

/** FixedInsights that can be told to fail for one endpoint, to prove one bad incident stops nothing else. */
export class FlakyInsights extends FixedInsights {
  readonly failing = new Set<string>();

  override async endpointSuccessRate(tenantId: string, endpoint: string, now: Date) {
    if (this.failing.has(endpoint)) throw new Error(`insights unavailable for ${endpoint}`);
    return super.endpointSuccessRate(tenantId, endpoint, now);
  }
}

/** A scripted detector that can hold every cycle inside detection until released, to keep cycles in flight. */
export class SlowScriptedDetector extends ScriptedAnomalyDetector {
  private gate?: Promise<void>;
  /** Cycles currently held. */
  waiting = 0;

  /** Holds every detection from now on; the returned function lets them (and later ones) through. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  override async detect(now: Date): Promise<Incident[]> {
    if (this.gate) {
      this.waiting++;
      await this.gate.finally(() => this.waiting--);
    }
    return super.detect(now);
  }
}

/** Rules a test can change between cycles. */
export class MutableRulesSource extends RulesSource {
  rules: AutohealRules = DEFAULT_RULES;

  current(): AutohealRules {
    return this.rules;
  }

  patch(raw: object): void {
    this.rules = validateRules(raw);
  }
}

export function incidentFor(tenantId: string, endpoint: string, overrides: Partial<Incident> = {}): Incident {
  return {
    tenant_id: tenantId,
    endpoint,
    kind: 'failure_burst',
    severity: 'medium',
    failures: 10,
    total_recent: 12,
    total_baseline: 200,
    failures_baseline: 2,
    failure_rate: 0.83,
    baseline_failure_rate: 0.01,
    traffic_ratio: 1,
    triage_distribution: { transient_endpoint_down: 10 },
    most_common_error: 'HTTP 503',
    detected_at: new Date().toISOString(),
    ...overrides,
  };
}

/**
 * The real AppModule on a real PostgreSQL and Redis, with the ports this suite is not about swapped for
 * their shipped fakes: the detector is scripted, sends and notifications are recorded, time is
 * manual, rules are mutable.
 */
export class EngineHarness {
  readonly detector = new SlowScriptedDetector();
  readonly replayer = new RecordingReplayer();
  readonly notifier = new RecordingNotifier();
  readonly insights = new FlakyInsights({ rate: 0.9, samples: 20, basis: 'history' });
  readonly clock = new ManualClock(new Date());
  readonly rules = new MutableRulesSource();
  db!: TestDatabase;
  t!: TestApp;
  operator = '';
  admin = '';

  async start(env: Record<string, string> = {}, overrides: Array<[unknown, unknown]> = []): Promise<this> {
    this.db = await createTestDatabase();
    this.t = await createTestApp({
      env: { DATABASE_URL: this.db.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`, ...env },
      overrides: [
        [AnomalyDetector, this.detector],
        [Replayer, this.replayer],
        [Notifier, this.notifier],
        [Insights, this.insights],
        [Clock, this.clock],
        [RulesSource, this.rules],
        ...(overrides as Array<[never, unknown]>),
      ],
    });
    this.operator = this.t.token('operator', 'oncall-bob');
    this.admin = this.t.token('admin', 'admin-carol');
    return this;
  }

  async stop(): Promise<void> {
    await this.t?.close();
    await this.db?.drop();
  }

  http() {
    return request(this.t.app.getHttpServer());
  }

  run(dryRun: boolean) {
    return this.http().post(`/autoheal/run?dry_run=${dryRun}`).auth(this.operator, { type: 'bearer' });
  }

  /** Cycles follow every active incident: a test about one cycle's decisions starts with none left by earlier tests. */
  async resolveIncidents(): Promise<void> {
    const store = this.t.app.get(IncidentStore);
    for (const incident of await store.active()) await store.resolve(incident.id, 'test-reset', null, this.clock.now());
  }

  sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    return this.t.app.get(DataSource).query(text, params);
  }

  /** Failed deliveries for one endpoint, created `ageSeconds` before the harness clock. */
  async seedFailures(prefix: string, tenantId: string, endpoint: string, labels: string[], ageSeconds = 60): Promise<string[]> {
    const ids = labels.map((_, i) => `${prefix}_${i + 1}`);
    await this.sql(
      `INSERT INTO deliveries (id, tenant_id, target, status, http_status, error, triage_label, triage_score, payload, headers,
        created_at, updated_at)
       SELECT id, $2, $3, 'failed', 503, 'HTTP 503', label, 0.9, jsonb_build_object('n', id), '{"content-type": "application/json"}', $4, $4
       FROM unnest($1::text[], $5::text[]) AS t(id, label)`,
      [ids, tenantId, endpoint, new Date(this.clock.now().getTime() - ageSeconds * 1000), labels],
    );
    return ids;
  }
}

export const transient = (n: number) => Array<string>(n).fill('transient_endpoint_down');
