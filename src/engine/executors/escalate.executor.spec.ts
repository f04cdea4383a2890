import { Test, TestingModule } from '@nestjs/testing';
import type { Incident } from '../../anomalies/incident';
import { buildIncident } from '../../anomalies/scripted-anomaly-detector.adapter';
import { AuditLog } from '../../audit/audit-log.port';
import { MemoryAuditLog } from '../../audit/memory-audit-log.adapter';
import { ManualClock } from '../../clock/clock';
import { MemoryCoordination } from '../../coordination/memory-coordination.adapter';
import { DeferralStore } from '../../deferrals/deferral-store.port';
import { MemoryDeferralStore } from '../../deferrals/memory-deferral-store.adapter';
import { EscalationStore } from '../../escalation/escalation-store.port';
import { EscalationService } from '../../escalation/escalation.service';
import { MemoryEscalationStore } from '../../escalation/memory-escalation-store.adapter';
import { Notifier } from '../../escalation/notifier.port';
import { RecordingNotifier } from '../../escalation/recording-notifier.adapter';
import { effectiveLimits } from '../../rules/effective-limits';
import { DEFAULT_RULES } from '../../rules/rules.defaults';
import type { AutohealRules } from '../../rules/rules.types';
import { validateRules } from '../../rules/rules.validation';
import { CycleState } from '../cycle-state';
import { EscalateExecutor } from './escalate.executor';
import { IncidentStore } from '../../incidents/incident-store.port';
import { MemoryIncidentStore } from '../../incidents/memory-incident-store.adapter';
import type { ExecutionOutcome, ExecutionPlan } from './strategy-executor';

const NOW = new Date('2026-11-25T12:00:00Z');
const TENANT = 'tenant-1';
const SILENT_TENANT = 'tenant-qa';
const ENDPOINT = 'https://shop.example.com/hook';
const MESSAGE = `Escalated incident for ${ENDPOINT} – requires operator review`;

class ClosingFailsDeferralStore extends MemoryDeferralStore {
  failClose = false;

  override async close(tenantId: string, endpoint: string, status: 'cleared' | 'escalated'): Promise<void> {
    if (this.failClose) throw new Error('database gone');
    return super.close(tenantId, endpoint, status);
  }
}

describe('EscalateExecutor', () => {
  const clock = new ManualClock(NOW);
  let store: MemoryEscalationStore;
  let notifier: RecordingNotifier;
  let deferrals: ClosingFailsDeferralStore;
  let audit: MemoryAuditLog;
  let moduleRef: TestingModule;
  let executor: EscalateExecutor;
  let incidents: MemoryIncidentStore;

  beforeEach(async () => {
    store = new MemoryEscalationStore();
    notifier = new RecordingNotifier();
    deferrals = new ClosingFailsDeferralStore();
    audit = new MemoryAuditLog(clock);
    incidents = new MemoryIncidentStore();
    moduleRef = await Test.createTestingModule({
      providers: [
        EscalateExecutor,
        EscalationService,
        { provide: EscalationStore, useValue: store },
        { provide: Notifier, useValue: notifier },
        { provide: DeferralStore, useValue: deferrals },
        { provide: AuditLog, useValue: audit },
        { provide: IncidentStore, useValue: incidents },
      ],
    }).compile();
    executor = moduleRef.get(EscalateExecutor);
  });

  afterEach(() => moduleRef.close());

  async function planFor(
    options: { dryRun?: boolean; tenant?: string; incident?: Partial<Incident>; rules?: AutohealRules; now?: Date } = {},
  ): Promise<ExecutionPlan> {
    const { dryRun = false, tenant = TENANT, rules = DEFAULT_RULES, now = NOW } = options;
    return {
      cycleId: 'cycle-1',
      now,
      dryRun,
      rules,
      incident: buildIncident({
        tenant_id: tenant,
        endpoint: ENDPOINT,
        severity: 'high',
        failures: 40,
        most_common_error: 'HTTP 500',
        ...options.incident,
      }),
      strategy: 'ESCALATE_OPERATOR',
      probability: 0.8,
      rationale: 'Permanent failures need a person',
      limits: effectiveLimits(rules, 'ESCALATE_OPERATOR', tenant),
      replayCandidates: [],
      deferral: null,
      state: await CycleState.open(new MemoryCoordination(() => NOW.getTime()), dryRun, now),
    };
  }

  const escalations = () => store.list({ limit: 100 });
  const auditedActions = async () => (await audit.query({ limit: 100 })).map((e) => `${e.action} ${e.resource_id}`);
  const taken = (outcome: ExecutionOutcome) => {
    if (!('taken' in outcome)) throw new Error(`expected an action, got ${JSON.stringify(outcome)}`);
    return outcome.taken;
  };

  it('a dry run says it would open an incident and opens, pages, closes and audits nothing', async () => {
    await deferrals.record(TENANT, ENDPOINT, NOW, NOW);

    const outcome = await executor.execute(await planFor({ dryRun: true }));

    expect(outcome).toEqual({
      taken: expect.objectContaining({
        strategy: 'ESCALATE_OPERATOR',
        executed: false,
        dry_run: true,
        would_escalate: true,
        created_incident: true,
        priority: 'high',
        message: MESSAGE,
      }),
    });
    expect(await escalations()).toEqual([]);
    expect(notifier.sent).toEqual([]);
    expect((await deferrals.active()).size).toBe(1);
    expect(await audit.query({ limit: 100 })).toEqual([]);
  });

  it('opens an incident, pages once, marks it notified, closes the deferrals and audits', async () => {
    await deferrals.record(TENANT, ENDPOINT, NOW, NOW);

    const outcome = await executor.execute(await planFor());

    const [escalation] = await escalations();
    expect(outcome).toEqual({
      taken: expect.objectContaining({
        executed: true,
        created_incident: true,
        escalation_id: escalation.id,
        priority: 'high',
        notified: true,
        message: MESSAGE,
      }),
      failed: [],
    });
    expect(escalation).toMatchObject({ tenant_id: TENANT, endpoint: ENDPOINT, status: 'open', occurrences: 1, notified_at: NOW });
    expect(notifier.sent).toEqual([
      {
        title: `Auto-heal escalation: ${ENDPOINT}`,
        text: `${MESSAGE}. Permanent failures need a person.`,
        severity: 'critical',
        tenant_id: TENANT,
        endpoint: ENDPOINT,
        escalation_id: escalation.id,
        fields: { severity: 'high', failures: '40', failure_rate: '0.8', most_common_error: 'HTTP 500' },
        signature: 'http <n>',
      },
    ]);
    expect(await deferrals.active()).toEqual(new Map());
    expect(await auditedActions()).toEqual([`autoheal_escalate ${ENDPOINT}`]);
  });

  it('opens once: a recurring incident bumps the open escalation and pages nobody again, dry or live', async () => {
    await executor.execute(await planFor());
    notifier.clear();
    const [first] = await escalations();
    const later = new Date(NOW.getTime() + 5 * 60_000);
    const alreadyEscalated = {
      skipped: {
        check: 'already_escalated',
        reason: `Already escalated (escalation ${first.id}, open since ${NOW.toISOString()}); awaiting operator`,
      },
    };

    expect(await executor.execute(await planFor({ dryRun: true, now: later }))).toEqual(alreadyEscalated);
    expect((await escalations())[0].occurrences).toBe(1);

    expect(await executor.execute(await planFor({ now: later }))).toEqual(alreadyEscalated);
    expect(await escalations()).toEqual([expect.objectContaining({ id: first.id, occurrences: 2, last_seen_at: later })]);
    expect(notifier.sent).toEqual([]);
  });

  it('keeps the escalation when the page fails, reports the failure, and pages on the next execution', async () => {
    notifier.failWith = new Error('Slack answered 500');

    const failed = taken(await executor.execute(await planFor()));

    expect(failed).toEqual(
      expect.objectContaining({ executed: true, created_incident: true, notified: false, notification_error: 'Slack answered 500' }),
    );
    const [escalation] = await escalations();
    expect(escalation).toMatchObject({ id: failed.escalation_id, status: 'open', notified_at: null });
    expect(await auditedActions()).toEqual([`autoheal_escalate ${ENDPOINT}`]);

    notifier.failWith = null;
    const retried = taken(await executor.execute(await planFor()));

    expect(retried).toEqual(
      expect.objectContaining({ executed: true, created_incident: false, escalation_id: escalation.id, notified: true }),
    );
    expect(retried).not.toHaveProperty('notification_error');
    expect(notifier.sent.map((n) => n.escalation_id)).toEqual([escalation.id]);
    expect(await escalations()).toEqual([expect.objectContaining({ id: escalation.id, occurrences: 2, notified_at: NOW })]);
    expect(await executor.execute(await planFor())).toEqual({ skipped: expect.objectContaining({ check: 'already_escalated' }) });
  });

  it('a dry run after a failed page says it would page again, without creating a second incident', async () => {
    notifier.failWith = new Error('Slack answered 500');
    await executor.execute(await planFor());
    notifier.failWith = null;

    const outcome = await executor.execute(await planFor({ dryRun: true }));

    expect(taken(outcome)).toEqual(expect.objectContaining({ executed: false, would_escalate: true, created_incident: false }));
    expect(notifier.sent).toEqual([]);
    expect(await escalations()).toEqual([expect.objectContaining({ occurrences: 1, notified_at: null })]);
  });

  it('opens without paging for a tenant that skips notifications, and only bumps it afterwards', async () => {
    const first = taken(await executor.execute(await planFor({ tenant: SILENT_TENANT })));

    expect(first).toEqual(expect.objectContaining({ executed: true, created_incident: true, notified: false }));
    expect(first).not.toHaveProperty('notification_error');
    expect(await executor.execute(await planFor({ tenant: SILENT_TENANT }))).toEqual({
      skipped: expect.objectContaining({ check: 'already_escalated' }),
    });
    expect(await escalations()).toEqual([expect.objectContaining({ tenant_id: SILENT_TENANT, occurrences: 2, notified_at: null })]);
    expect(notifier.sent).toEqual([]);
  });

  it.each([
    ['a critical incident is critical whatever the limits say', 'critical', 'low', 'critical', 'critical'],
    ['otherwise the configured priority', 'high', 'medium', 'medium', 'warning'],
    ['a high priority pages as critical', 'medium', 'high', 'high', 'critical'],
  ] as const)('priority: %s', async (_name, severity, configured, priority, notificationSeverity) => {
    const rules = validateRules({ strategy_limits: { ESCALATE_OPERATOR: { priority: configured } } });

    const outcome = taken(await executor.execute(await planFor({ rules, incident: { severity } })));

    expect(outcome.priority).toBe(priority);
    expect(await escalations()).toEqual([expect.objectContaining({ priority })]);
    expect(notifier.sent.map((n) => n.severity)).toEqual([notificationSeverity]);
  });

  it('reports deferrals it could not close beside the escalation that happened', async () => {
    await deferrals.record(TENANT, ENDPOINT, NOW, NOW);
    deferrals.failClose = true;

    const outcome = await executor.execute(await planFor());

    expect(outcome).toEqual({
      taken: expect.objectContaining({ executed: true, notified: true }),
      failed: ['deferrals not closed: database gone'],
    });
    expect(await escalations()).toHaveLength(1);
    expect(await auditedActions()).toEqual([`autoheal_escalate ${ENDPOINT}`]);
  });

  it('moves the persisted incident to escalated, with the escalation and the page on its timeline', async () => {
    const plan = await planFor();
    const { incident: record } = await incidents.openOrUpdate(
      {
        tenantId: plan.incident.tenant_id,
        endpoint: plan.incident.endpoint,
        kind: plan.incident.kind,
        severity: plan.incident.severity,
        firstFailureAt: NOW,
        lastFailureAt: NOW,
        backlogSize: plan.incident.failures,
      },
      NOW,
    );

    const outcome = await executor.execute({ ...plan, record });

    const escalationId = 'taken' in outcome ? outcome.taken.escalation_id : undefined;
    const detail = await incidents.get(record.id);
    expect(detail).toMatchObject({ state: 'escalated', escalation_id: escalationId });
    expect(detail!.timeline.map((e) => e.type)).toEqual(['opened', 'paged']);
  });

  it('a page asking for an approval names it and its plan, and goes out even when the endpoint was already paged', async () => {
    await executor.execute(await planFor());
    const approval = {
      id: 'approval-7',
      plan: { count: 42, oldest_at: '2026-11-25T11:00:00.000Z', target: 'https://x.example/hook' },
      expires_at: NOW,
    };

    const outcome = await executor.execute({ ...(await planFor()), approval });

    expect(outcome).toMatchObject({ taken: { approval_id: 'approval-7', approval_plan: approval.plan, notified: true } });
    expect(notifier.sent).toHaveLength(2);
    expect(notifier.sent[1].text).toContain('POST /autoheal/approvals/approval-7/approve');
    expect(notifier.sent[1].fields).toMatchObject({ approval_id: 'approval-7', backlog: '42', target: 'https://x.example/hook' });
  });
});
