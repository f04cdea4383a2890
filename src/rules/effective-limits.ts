import type { AutohealRules, Strategy, StrategyLimits, TenantOverride } from './rules.types';

/** With that tenant's override applied. */
export interface EffectiveLimits extends StrategyLimits {
  strategy: Strategy;
  tenant_id: string;
  /** True unless its override says otherwise; the global kill switch is separate. */
  autoheal_enabled: boolean;
  /** False when the tenant lists this strategy in disabled_strategies. */
  strategy_allowed: boolean;
  disabled_strategies: Strategy[];
  /** 0 unless the tenant asks for faster (or slower) escalation. */
  escalation_delay_minutes: number;
  skip_notifications: boolean;
}

function overrideOf(rules: AutohealRules, tenantId: string): TenantOverride {
  return Object.hasOwn(rules.tenant_overrides, tenantId) ? rules.tenant_overrides[tenantId] : {};
}

/** The single place tenant policy is applied, so every consumer reads it the same way. */
export function effectiveLimits(rules: AutohealRules, strategy: Strategy, tenantId: string): EffectiveLimits {
  const override = overrideOf(rules, tenantId);
  const limits: StrategyLimits = structuredClone(rules.strategy_limits[strategy]);
  if (strategy === 'REPLAY_RECENT' && override.max_replays !== undefined) limits.max_deliveries = override.max_replays;
  // The tenant's own limits for the strategy come last: they are the more specific.
  Object.assign(limits, structuredClone(override.strategy_limits?.[strategy] ?? {}));
  const disabled = [...(override.disabled_strategies ?? [])];

  return {
    ...limits,
    strategy,
    tenant_id: tenantId,
    autoheal_enabled: override.autoheal_enabled ?? true,
    strategy_allowed: !disabled.includes(strategy),
    disabled_strategies: disabled,
    escalation_delay_minutes: override.escalation_delay_minutes ?? 0,
    skip_notifications: override.skip_notifications ?? false,
  };
}

export function requiresApprovalForCritical(rules: AutohealRules, tenantId: string): boolean {
  return overrideOf(rules, tenantId).require_approval_for_critical ?? rules.global_safety.require_approval_for_critical;
}
