import type { AutohealRules } from './rules.types';

/** The guide's four sections, then our detection, cycle, approval and storm settings. */
export type AutohealConfigView = Pick<
  AutohealRules,
  'global_safety' | 'strategy_limits' | 'strategy_priorities' | 'tenant_overrides' | 'detection' | 'cycle' | 'approvals' | 'storm'
>;

/** A detached copy in the guide's key order. */
export function toConfigView(rules: AutohealRules): AutohealConfigView {
  return structuredClone({
    global_safety: rules.global_safety,
    strategy_limits: rules.strategy_limits,
    strategy_priorities: rules.strategy_priorities,
    tenant_overrides: rules.tenant_overrides,
    detection: rules.detection,
    cycle: rules.cycle,
    approvals: rules.approvals,
    storm: rules.storm,
  });
}
