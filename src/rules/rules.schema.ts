import { z } from 'zod';
import { TRIAGE_LABELS } from '../triage/triage';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

type ErrorParams = { error: (issue: z.core.$ZodRawIssue) => string };

// Messages read `key.path: must be … (got …)`: validateRules prefixes the path, the schema says what is wrong.
function mustBe(description: string): ErrorParams {
  return { error: (issue) => (issue.input === undefined ? 'is required' : `must be ${description} (got ${show(issue.input)})`) };
}

export function show(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const notAnObject = mustBe('an object');

/** No other key allowed: a typo must not silently do nothing. */
function strictObject<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.strictObject(shape, objectErrors(Object.keys(shape)));
}

function objectErrors(keys: readonly string[]): ErrorParams {
  return {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown key (expected one of: ${keys.join(', ')})` : notAnObject.error(issue)),
  };
}

function number(description: string, bound: (schema: z.ZodNumber, error: ErrorParams) => z.ZodNumber) {
  const error = mustBe(description);
  return bound(z.number(error), error);
}

function integer(min: number, max?: number) {
  const error = mustBe(max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`);
  const atLeast = z.int(error).min(min, error);
  return max === undefined ? atLeast : atLeast.max(max, error);
}

const positive = number('a number > 0', (n, error) => n.gt(0, error));
const nonNegative = number('a number >= 0', (n, error) => n.min(0, error));
const atLeastOne = number('a number >= 1', (n, error) => n.min(1, error));
const fraction = number('a number from 0 to 1', (n, error) => n.min(0, error).max(1, error));
const share = number('a number > 0 and <= 1', (n, error) => n.gt(0, error).max(1, error));
const boolean = z.boolean(mustBe('true or false'));

function oneOf<const Values extends readonly string[]>(values: Values) {
  return z.enum(values, mustBe(`one of ${values.join(', ')}`));
}

// One line for the whole list (not one per bad item), showing the list as given.
function distinctList<Item extends z.ZodType>(item: Item, description: string, { nonEmpty = false } = {}) {
  const items = z.array(item).min(nonEmpty ? 1 : 0);
  return z.custom<z.output<Item>[]>(
    (value) => items.safeParse(value).success && new Set(value as unknown[]).size === (value as unknown[]).length,
    mustBe(`a ${nonEmpty ? 'non-empty ' : ''}list of distinct ${description}`),
  );
}

const validTimezone = mustBe('a valid IANA timezone such as "Europe/Berlin"');
const timezone = z.string(validTimezone).refine((value) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return value !== '';
  } catch {
    return false;
  }
}, validTimezone);

// Relations between fields: checked once each field is valid on its own, so one mistake gives one line.
const onceFieldsValid = { when: (payload: z.core.ParsePayload) => payload.issues.length === 0 };

export const STRATEGY_LIMIT_FIELDS = {
  max_deliveries: integer(1),
  time_window_minutes: positive,
  min_confidence: fraction,
  cooldown_minutes: nonNegative,
  allowed_triage_labels: distinctList(oneOf(TRIAGE_LABELS), `triage labels (${TRIAGE_LABELS.join(', ')})`),
  recheck_delay_seconds: positive,
  max_deferrals: integer(0),
  alert_after_deferrals: integer(0),
  priority: oneOf(SEVERITIES),
  throttle_factor: share,
  duration_minutes: positive,
  dedup_window_seconds: positive,
  max_occurrences: integer(1),
  /** RATE_LIMIT_SOURCE: a throttle longer than this waits for an operator's approval. */
  approval_above_minutes: positive,
  /** SILENCE_DUPES: the share of an incident's failures that must share one error signature. */
  duplicate_ratio: share,
  /** RECOVER_BACKLOG: one real failed delivery is re-sent as a probe this often while the endpoint is down. */
  probe_interval_seconds: positive,
  /** Per endpoint. */
  drain_concurrency: integer(1),
  drain_rate_per_second: positive,
  /** A drain goes back to probing after this many failed sends in a row. */
  drain_max_consecutive_failures: integer(1),
  max_backlog_age_hours: positive,
  max_backlog_deliveries: integer(1),
  /** After this many heals that did not work, the incident is escalated (once). */
  max_ineffective_attempts: integer(1),
};
type LimitField = keyof typeof STRATEGY_LIMIT_FIELDS;

type LimitShape<Field extends LimitField> = Pick<typeof STRATEGY_LIMIT_FIELDS, Field>;

/** In the order messages list them; a limit on the wrong strategy would do nothing, so it is refused. */
function limits<Field extends LimitField>(...fields: Field[]) {
  return strictObject(Object.fromEntries(fields.map((field) => [field, STRATEGY_LIMIT_FIELDS[field]])) as LimitShape<Field>);
}

function partialLimits<Field extends LimitField>(fields: readonly Field[]) {
  return strictObject(
    Object.fromEntries(fields.map((field) => [field, STRATEGY_LIMIT_FIELDS[field].optional()])) as {
      [F in Field]: z.ZodOptional<LimitShape<Field>[F]>;
    },
  );
}

/** A new strategy is one entry here (plus any new field above): its name, priority slot and types follow from it. */
const STRATEGY_FIELDS = {
  REPLAY_RECENT: ['max_deliveries', 'time_window_minutes', 'min_confidence', 'cooldown_minutes', 'allowed_triage_labels'],
  DEFER_AND_MONITOR: ['recheck_delay_seconds', 'max_deferrals', 'alert_after_deferrals', 'min_confidence', 'cooldown_minutes'],
  ESCALATE_OPERATOR: ['priority', 'min_confidence', 'cooldown_minutes'],
  RATE_LIMIT_SOURCE: ['throttle_factor', 'duration_minutes', 'approval_above_minutes', 'min_confidence', 'cooldown_minutes'],
  SILENCE_DUPES: ['duplicate_ratio', 'dedup_window_seconds', 'max_occurrences', 'duration_minutes', 'min_confidence', 'cooldown_minutes'],
  RECOVER_BACKLOG: [
    'probe_interval_seconds',
    'drain_concurrency',
    'drain_rate_per_second',
    'drain_max_consecutive_failures',
    'max_backlog_age_hours',
    'max_backlog_deliveries',
    'max_ineffective_attempts',
    'allowed_triage_labels',
    'min_confidence',
  ],
} as const satisfies Record<string, readonly LimitField[]>;
type StrategyName = keyof typeof STRATEGY_FIELDS;

export const STRATEGIES = Object.keys(STRATEGY_FIELDS) as [StrategyName, ...StrategyName[]];

function deferralsProblem(defer: { max_deferrals: number; alert_after_deferrals: number }): string | null {
  return defer.alert_after_deferrals > defer.max_deferrals
    ? `must be <= max_deferrals (got ${defer.alert_after_deferrals} > ${defer.max_deferrals})`
    : null;
}

const STRATEGY_LIMITS = {
  REPLAY_RECENT: limits(...STRATEGY_FIELDS.REPLAY_RECENT),
  DEFER_AND_MONITOR: limits(...STRATEGY_FIELDS.DEFER_AND_MONITOR).superRefine((defer, ctx) => {
    const problem = deferralsProblem(defer);
    if (problem) ctx.addIssue({ code: 'custom', path: ['alert_after_deferrals'], message: problem });
  }, onceFieldsValid),
  ESCALATE_OPERATOR: limits(...STRATEGY_FIELDS.ESCALATE_OPERATOR),
  RATE_LIMIT_SOURCE: limits(...STRATEGY_FIELDS.RATE_LIMIT_SOURCE),
  SILENCE_DUPES: limits(...STRATEGY_FIELDS.SILENCE_DUPES),
  RECOVER_BACKLOG: limits(...STRATEGY_FIELDS.RECOVER_BACKLOG),
};

/** effectiveLimits applies them over the global ones. */
const tenantStrategyLimits = strictObject({
  REPLAY_RECENT: partialLimits(STRATEGY_FIELDS.REPLAY_RECENT).optional(),
  DEFER_AND_MONITOR: partialLimits(STRATEGY_FIELDS.DEFER_AND_MONITOR).optional(),
  ESCALATE_OPERATOR: partialLimits(STRATEGY_FIELDS.ESCALATE_OPERATOR).optional(),
  RATE_LIMIT_SOURCE: partialLimits(STRATEGY_FIELDS.RATE_LIMIT_SOURCE).optional(),
  SILENCE_DUPES: partialLimits(STRATEGY_FIELDS.SILENCE_DUPES).optional(),
  RECOVER_BACKLOG: partialLimits(STRATEGY_FIELDS.RECOVER_BACKLOG).optional(),
} satisfies Record<StrategyName, unknown>);

const strategyPriorities = z.record(oneOf(STRATEGIES), integer(1), objectErrors(STRATEGIES)).superRefine((priorities, ctx) => {
  const byPriority = new Map<number, StrategyName[]>();
  for (const strategy of STRATEGIES) byPriority.set(priorities[strategy], [...(byPriority.get(priorities[strategy]) ?? []), strategy]);
  for (const [priority, strategies] of byPriority) {
    if (strategies.length > 1) {
      ctx.addIssue({ code: 'custom', message: `must be distinct (got ${priority} for ${strategies.join(' and ')})` });
    }
  }
}, onceFieldsValid);

const businessHours = strictObject({
  enabled: boolean,
  /** Hours in `timezone`, [start_hour, end_hour). */
  start_hour: integer(0, 24),
  end_hour: integer(0, 24),
  /** 0 = Sunday … 6 = Saturday */
  days: distinctList(integer(0, 6), 'integers from 0 (Sunday) to 6 (Saturday)', { nonEmpty: true }),
  timezone,
  allow_actions: oneOf(['inside', 'outside']),
}).superRefine((hours, ctx) => {
  if (hours.start_hour >= hours.end_hour) {
    ctx.addIssue({
      code: 'custom',
      path: ['end_hour'],
      message:
        `must be greater than start_hour (got ${hours.start_hour} to ${hours.end_hour}); ` +
        'for a window across midnight give the daytime hours with allow_actions "outside"',
    });
  }
}, onceFieldsValid);

const tenantOverride = strictObject({
  max_replays: integer(1).optional(),
  escalation_delay_minutes: nonNegative.optional(),
  skip_notifications: boolean.optional(),
  disabled_strategies: distinctList(oneOf(STRATEGIES), `strategies (${STRATEGIES.join(', ')})`).optional(),
  autoheal_enabled: boolean.optional(),
  require_approval_for_critical: boolean.optional(),
  strategy_limits: tenantStrategyLimits.optional(),
});

const tenantOverrides = z.record(
  z.string().refine((tenant) => tenant.trim() !== ''),
  tenantOverride,
  { error: (issue) => (issue.code === 'invalid_key' ? `keys must be non-empty (got ${show(issue.input)})` : notAnObject.error(issue)) },
);

const detection = strictObject({
  recent_window_minutes: positive,
  baseline_window_minutes: positive,
  min_failures: integer(1),
  /** A burst's failure rate must be at least this … */
  min_failure_rate: fraction,
  /** … and at least this many times the baseline's failure rate. */
  baseline_multiplier: atLeastOne,
  /** Recent traffic per minute over baseline traffic per minute that counts as a spike … */
  traffic_spike_ratio: atLeastOne,
  /** … when the recent window has at least this many deliveries. */
  traffic_spike_min_deliveries: integer(1),
  /** A sustained outage, whatever the baseline: the last this many attempts all failed … */
  sustained_last_attempts: integer(2),
  /** … or at least this share of the recent window failed (with at least min_failures failures). */
  sustained_failure_ratio: share,
  /** A tenant floods when its share of all failures in the recent window is above this … */
  dominance_ratio: share,
  /** … and its traffic per minute is at least this many times its baseline's. */
  flood_traffic_ratio: atLeastOne,
  /** … with at least this many of its deliveries in the recent window: a flood is volume, not a small burst. */
  flood_min_deliveries: integer(1),
  severity_thresholds: strictObject({ medium: integer(1), high: integer(1), critical: integer(1) }).superRefine(
    ({ medium, high, critical }, ctx) => {
      if (!(medium < high && high < critical)) {
        ctx.addIssue({ code: 'custom', message: `must satisfy medium < high < critical (got ${medium}, ${high}, ${critical})` });
      }
    },
    onceFieldsValid,
  ),
}).superRefine(({ recent_window_minutes: recent, baseline_window_minutes: baseline }, ctx) => {
  if (recent >= baseline) {
    ctx.addIssue({
      code: 'custom',
      path: ['recent_window_minutes'],
      message: `must be less than detection.baseline_window_minutes (got ${recent} >= ${baseline})`,
    });
  }
}, onceFieldsValid);

export const RULES_SCHEMA = strictObject({
  global_safety: strictObject({
    autoheal_enabled: boolean,
    dry_run: boolean,
    max_heals_per_hour: integer(0),
    max_concurrent_heals: integer(1),
    audit_all_actions: boolean,
    require_approval_for_critical: boolean,
    /** "Is strategy confidence >50%?" — applies to every strategy, before its own min_confidence. */
    min_confidence: fraction,
    business_hours: businessHours,
  }),
  strategy_limits: strictObject(STRATEGY_LIMITS),
  strategy_priorities: strategyPriorities,
  tenant_overrides: tenantOverrides,
  detection,
  cycle: strictObject({
    /** Renewed every third of it, so it only needs to outlast a stalled renewal; a killed holder frees it within one lease. */
    lock_ttl_seconds: positive,
    /** Also the cycle's history row lease, renewed the same way. */
    slot_ttl_seconds: positive,
    /** Replay attempts still `pending` after this long are marked `abandoned`. */
    abandon_pending_after_seconds: positive,
  }),
  approvals: strictObject({
    /** Fractions allowed (compressed time). */
    ttl_minutes: positive,
  }),
  /** Many endpoints in incident at once page once, and drains are capped. */
  storm: strictObject({
    max_incidents: integer(1),
    /** Share of the active endpoints in incident at which it is a storm. */
    max_endpoint_share: share,
    max_concurrent_drains: integer(1),
  }),
}).superRefine((rules, ctx) => {
  // A tenant's deferral limits must still make sense once merged over the global ones.
  for (const [tenant, override] of Object.entries(rules.tenant_overrides)) {
    const defer = override.strategy_limits?.DEFER_AND_MONITOR;
    if (!defer) continue;
    const problem = deferralsProblem({ ...rules.strategy_limits.DEFER_AND_MONITOR, ...defer });
    if (problem) {
      ctx.addIssue({
        code: 'custom',
        path: ['tenant_overrides', tenant, 'strategy_limits', 'DEFER_AND_MONITOR', 'alert_after_deferrals'],
        message: problem,
      });
    }
  }
}, onceFieldsValid);
