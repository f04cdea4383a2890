import { DEFAULT_RULES } from './rules.defaults';
import { validateRules } from './rules.validation';
import { toConfigView } from './rules.view';

describe('toConfigView', () => {
  it("has the guide's GET /autoheal/config sections, then detection, cycle, approvals and storm", () => {
    const view = toConfigView(DEFAULT_RULES);
    expect(Object.keys(view)).toEqual([
      'global_safety',
      'strategy_limits',
      'strategy_priorities',
      'tenant_overrides',
      'detection',
      'cycle',
      'approvals',
      'storm',
    ]);
    expect(view.global_safety).toMatchObject({
      autoheal_enabled: true,
      dry_run: false,
      max_heals_per_hour: 100,
      max_concurrent_heals: 5,
      audit_all_actions: true,
    });
    expect(view.strategy_limits.REPLAY_RECENT).toEqual({
      max_deliveries: 25,
      time_window_minutes: 10,
      min_confidence: 0.7,
      cooldown_minutes: 5,
      allowed_triage_labels: ['transient_endpoint_down', 'rate_limited'],
    });
    expect(view.strategy_priorities).toEqual({
      ESCALATE_OPERATOR: 1,
      RATE_LIMIT_SOURCE: 2,
      REPLAY_RECENT: 3,
      SILENCE_DUPES: 4,
      DEFER_AND_MONITOR: 5,
      RECOVER_BACKLOG: 6,
    });
    expect(view.tenant_overrides['tenant-premium']).toEqual({ max_replays: 50, escalation_delay_minutes: 5 });
  });

  it('shows RECOVER_BACKLOG, the approval TTL, the storm limits and the sustained-outage thresholds', () => {
    const view = toConfigView(DEFAULT_RULES);
    expect(view.strategy_limits.RECOVER_BACKLOG).toMatchObject({
      probe_interval_seconds: 60,
      drain_concurrency: 4,
      max_ineffective_attempts: 3,
    });
    expect(view.approvals).toEqual({ ttl_minutes: 60 });
    expect(view.storm).toEqual({ max_incidents: 20, max_endpoint_share: 0.2, max_concurrent_drains: 5 });
    expect(view.detection).toMatchObject({ sustained_last_attempts: 5, sustained_failure_ratio: 0.9 });
  });

  it('is a mutable copy detached from the (frozen) rules', () => {
    const rules = validateRules({});
    const view = toConfigView(rules);
    view.global_safety.dry_run = true;
    expect(rules.global_safety.dry_run).toBe(false);
  });

  it('round-trips: a view fed back as a config file gives the same rules', () => {
    const rules = validateRules({
      global_safety: { dry_run: true },
      tenant_overrides: {
        t1: { max_replays: 3, require_approval_for_critical: false, strategy_limits: { RECOVER_BACKLOG: { drain_concurrency: 1 } } },
      },
      storm: { max_incidents: 3 },
    });
    expect(validateRules(JSON.parse(JSON.stringify(toConfigView(rules))))).toEqual(rules);
  });
});
