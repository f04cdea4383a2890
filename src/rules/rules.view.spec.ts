import { DEFAULT_RULES } from './rules.defaults';
import { validateRules } from './rules.validation';
import { toConfigView } from './rules.view';

describe('toConfigView', () => {
  it('has the guide\'s GET /autoheal/config sections, then detection and cycle', () => {
    const view = toConfigView(DEFAULT_RULES);
    expect(Object.keys(view)).toEqual(['global_safety', 'strategy_limits', 'strategy_priorities', 'tenant_overrides', 'detection', 'cycle']);
    expect(view.global_safety).toMatchObject({ autoheal_enabled: true, dry_run: false, max_heals_per_hour: 100, max_concurrent_heals: 5, audit_all_actions: true });
    expect(view.strategy_limits.REPLAY_RECENT).toEqual({
      max_deliveries: 25,
      time_window_minutes: 10,
      min_confidence: 0.7,
      cooldown_minutes: 5,
      allowed_triage_labels: ['transient_endpoint_down', 'rate_limited'],
    });
    expect(view.strategy_priorities).toEqual({ ESCALATE_OPERATOR: 1, RATE_LIMIT_SOURCE: 2, REPLAY_RECENT: 3, SILENCE_DUPES: 4, DEFER_AND_MONITOR: 5 });
    expect(view.tenant_overrides['tenant-premium']).toEqual({ max_replays: 50, escalation_delay_minutes: 5 });
  });

  it('is a mutable copy detached from the (frozen) rules', () => {
    const rules = validateRules({});
    const view = toConfigView(rules);
    view.global_safety.dry_run = true;
    expect(rules.global_safety.dry_run).toBe(false);
  });

  it('round-trips: a view fed back as a config file gives the same rules', () => {
    const rules = validateRules({ global_safety: { dry_run: true }, tenant_overrides: { t1: { max_replays: 3 } } });
    expect(validateRules(JSON.parse(JSON.stringify(toConfigView(rules))))).toEqual(rules);
  });
});
