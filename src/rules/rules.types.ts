import type { z } from 'zod';
import type { RULES_SCHEMA, SEVERITIES, STRATEGY_LIMIT_FIELDS } from './rules.schema';

export { SEVERITIES, STRATEGIES } from './rules.schema';

/** rules.schema.ts is their one description. */
export type AutohealRules = z.output<typeof RULES_SCHEMA>;
export type Strategy = keyof AutohealRules['strategy_limits'];
export type Severity = (typeof SEVERITIES)[number];

/** Seen without knowing which strategy: keys it does not read are absent. */
export type StrategyLimits = { [Field in keyof typeof STRATEGY_LIMIT_FIELDS]?: z.output<(typeof STRATEGY_LIMIT_FIELDS)[Field]> };

export type GlobalSafety = AutohealRules['global_safety'];
export type BusinessHours = GlobalSafety['business_hours'];
export type TenantOverride = AutohealRules['tenant_overrides'][string];
export type DetectionRules = AutohealRules['detection'];
export type CycleRules = AutohealRules['cycle'];
export type ApprovalRules = AutohealRules['approvals'];
export type StormRules = AutohealRules['storm'];
