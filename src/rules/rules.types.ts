import type { z } from 'zod';
import type { RULES_SCHEMA, SEVERITIES, STRATEGY_LIMIT_FIELDS } from './rules.schema';

export { SEVERITIES, STRATEGIES } from './rules.schema';

/** The validated rules; rules.schema.ts is their one description. */
export type AutohealRules = z.output<typeof RULES_SCHEMA>;
export type Strategy = keyof AutohealRules['strategy_limits'];
export type Severity = (typeof SEVERITIES)[number];

/** One strategy's caps (the guide's AUTOHEAL_LIMITS), seen without knowing which strategy: keys it does not read are absent. */
export type StrategyLimits = { [Field in keyof typeof STRATEGY_LIMIT_FIELDS]?: z.output<(typeof STRATEGY_LIMIT_FIELDS)[Field]> };

/** The guide's GLOBAL_SAFETY, plus the global confidence floor and optional business hours. */
export type GlobalSafety = AutohealRules['global_safety'];
export type BusinessHours = GlobalSafety['business_hours'];
export type TenantOverride = AutohealRules['tenant_overrides'][string];
export type DetectionRules = AutohealRules['detection'];
export type CycleRules = AutohealRules['cycle'];
