import { TRIAGE_LABELS } from '../triage/triage';
import { DEFAULT_RULES } from './rules.defaults';
import { SEVERITIES, STRATEGIES, type AutohealRules, type Strategy } from './rules.types';

/** One line per problem, each `key.path: what is wrong (got value)`, so a bad file is fixed in one pass. */
export class InvalidRulesError extends Error {
  constructor(
    readonly problems: string[],
    readonly source?: string,
  ) {
    super(`Invalid auto-heal rules${source ? ` in ${source}` : ''}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidRulesError';
  }
}

/**
 * Merges a partial rules document (the shape of GET /autoheal/config) over `defaults` and validates the
 * result. Objects merge deeply, arrays replace, tenant_overrides merge per tenant (`"tenant": null`
 * removes a default tenant). Unknown keys are errors: a typo must not silently do nothing.
 */
export function validateRules(raw: unknown, defaults: AutohealRules = DEFAULT_RULES): AutohealRules {
  if (!isPlainObject(raw)) throw new InvalidRulesError([`(root): must be a JSON object (got ${show(raw)})`]);

  const merged = merge(defaults, raw) as Record<string, unknown>;
  if (isPlainObject(merged.tenant_overrides)) {
    for (const [tenant, override] of Object.entries(merged.tenant_overrides)) {
      if (override === null) delete merged.tenant_overrides[tenant];
    }
  }

  const problems: string[] = [];
  RULES_SCHEMA(merged, '', problems);
  if (problems.length === 0) crossChecks(merged as unknown as AutohealRules, problems);
  if (problems.length > 0) throw new InvalidRulesError(problems);
  return deepFreeze(merged as unknown as AutohealRules);
}

type Validator = (value: unknown, path: string, problems: string[]) => void;

function check(must: string, ok: (value: unknown) => boolean): Validator {
  return (value, path, problems) => {
    if (!ok(value)) problems.push(`${path}: must be ${must} (got ${show(value)})`);
  };
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function integer(min: number, max?: number): Validator {
  const must = max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  return check(must, (v) => Number.isInteger(v) && (v as number) >= min && (max === undefined || (v as number) <= max));
}

const positive = check('a number > 0', (v) => isNumber(v) && v > 0);
const nonNegative = check('a number >= 0', (v) => isNumber(v) && v >= 0);
const atLeastOne = check('a number >= 1', (v) => isNumber(v) && v >= 1);
const fraction = check('a number from 0 to 1', (v) => isNumber(v) && v >= 0 && v <= 1);
const boolean = check('true or false', (v) => typeof v === 'boolean');

function oneOf(values: readonly string[]): Validator {
  return check(`one of ${values.join(', ')}`, (v) => typeof v === 'string' && values.includes(v));
}

function distinctList(description: string, item: (value: unknown) => boolean, { nonEmpty = false } = {}): Validator {
  const must = `a ${nonEmpty ? 'non-empty ' : ''}list of distinct ${description}`;
  return check(must, (v) => Array.isArray(v) && (!nonEmpty || v.length > 0) && v.every(item) && new Set(v).size === v.length);
}

const timezone = check('a valid IANA timezone such as "Europe/Berlin"', (v) => {
  if (typeof v !== 'string' || v === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return true;
  } catch {
    return false;
  }
});

/** Every key in `shape` is required (the defaults supply them) and no other key is allowed. */
function object(shape: Record<string, Validator>): Validator {
  return (value, path, problems) => {
    if (!isPlainObject(value)) {
      problems.push(`${path || '(root)'}: must be an object (got ${show(value)})`);
      return;
    }
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(shape, key)) problems.push(`${join(path, key)}: unknown key (expected one of: ${Object.keys(shape).join(', ')})`);
    }
    for (const [key, validate] of Object.entries(shape)) {
      if (value[key] === undefined) problems.push(`${join(path, key)}: is required`);
      else validate(value[key], join(path, key), problems);
    }
  };
}

/** Like `object`, but every key is optional. */
function partialObject(shape: Record<string, Validator>): Validator {
  return (value, path, problems) => {
    if (!isPlainObject(value)) {
      problems.push(`${path}: must be an object (got ${show(value)})`);
      return;
    }
    for (const [key, field] of Object.entries(value)) {
      const validate = Object.hasOwn(shape, key) ? shape[key] : undefined;
      if (!validate) problems.push(`${join(path, key)}: unknown key (expected one of: ${Object.keys(shape).join(', ')})`);
      else validate(field, join(path, key), problems);
    }
  };
}

function recordOf(validate: Validator): Validator {
  return (value, path, problems) => {
    if (!isPlainObject(value)) {
      problems.push(`${path}: must be an object (got ${show(value)})`);
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      if (key.trim() === '') problems.push(`${path}: keys must be non-empty (got ${show(key)})`);
      else validate(item, join(path, key), problems);
    }
  };
}

const isStrategy = (v: unknown) => typeof v === 'string' && (STRATEGIES as readonly string[]).includes(v);
const isWeekday = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 6;
const isTriageLabel = (v: unknown) => typeof v === 'string' && (TRIAGE_LABELS as readonly string[]).includes(v);

const confidenceAndCooldown = { min_confidence: fraction, cooldown_minutes: nonNegative };

/** Which limits each strategy reads; a key on the wrong strategy would do nothing, so it is refused. */
const STRATEGY_LIMIT_SHAPES: Record<Strategy, Record<string, Validator>> = {
  REPLAY_RECENT: {
    max_deliveries: integer(1),
    time_window_minutes: positive,
    ...confidenceAndCooldown,
    allowed_triage_labels: distinctList(`triage labels (${TRIAGE_LABELS.join(', ')})`, isTriageLabel),
  },
  DEFER_AND_MONITOR: {
    recheck_delay_seconds: positive,
    max_deferrals: integer(0),
    alert_after_deferrals: integer(0),
    ...confidenceAndCooldown,
  },
  ESCALATE_OPERATOR: { priority: oneOf(SEVERITIES), ...confidenceAndCooldown },
  RATE_LIMIT_SOURCE: {
    throttle_factor: check('a number > 0 and <= 1', (v) => isNumber(v) && v > 0 && v <= 1),
    duration_minutes: positive,
    ...confidenceAndCooldown,
  },
  SILENCE_DUPES: {
    dedup_window_seconds: positive,
    max_occurrences: integer(1),
    duration_minutes: positive,
    ...confidenceAndCooldown,
  },
};

const RULES_SCHEMA: Validator = object({
  global_safety: object({
    autoheal_enabled: boolean,
    dry_run: boolean,
    max_heals_per_hour: integer(0),
    max_concurrent_heals: integer(1),
    audit_all_actions: boolean,
    require_approval_for_critical: boolean,
    min_confidence: fraction,
    business_hours: object({
      enabled: boolean,
      start_hour: integer(0, 24),
      end_hour: integer(0, 24),
      days: distinctList('integers from 0 (Sunday) to 6 (Saturday)', isWeekday, { nonEmpty: true }),
      timezone,
      allow_actions: oneOf(['inside', 'outside']),
    }),
  }),
  strategy_limits: object(
    Object.fromEntries(STRATEGIES.map((strategy) => [strategy, object(STRATEGY_LIMIT_SHAPES[strategy])])),
  ),
  strategy_priorities: object(Object.fromEntries(STRATEGIES.map((strategy) => [strategy, integer(1)]))),
  tenant_overrides: recordOf(
    partialObject({
      max_replays: integer(1),
      escalation_delay_minutes: nonNegative,
      skip_notifications: boolean,
      disabled_strategies: distinctList(`strategies (${STRATEGIES.join(', ')})`, isStrategy),
      autoheal_enabled: boolean,
    }),
  ),
  detection: object({
    recent_window_minutes: positive,
    baseline_window_minutes: positive,
    min_failures: integer(1),
    min_failure_rate: fraction,
    baseline_multiplier: atLeastOne,
    traffic_spike_ratio: atLeastOne,
    traffic_spike_min_deliveries: integer(1),
    severity_thresholds: object({ medium: integer(1), high: integer(1), critical: integer(1) }),
  }),
  cycle: object({
    lock_ttl_seconds: positive,
    slot_ttl_seconds: positive,
    abandon_pending_after_seconds: positive,
  }),
});

/** Relations between fields; run only once every field is valid on its own. */
function crossChecks(rules: AutohealRules, problems: string[]): void {
  const { detection, global_safety, strategy_limits, strategy_priorities } = rules;
  if (detection.recent_window_minutes >= detection.baseline_window_minutes) {
    problems.push(
      `detection.recent_window_minutes: must be less than detection.baseline_window_minutes (got ${detection.recent_window_minutes} >= ${detection.baseline_window_minutes})`,
    );
  }
  const { medium, high, critical } = detection.severity_thresholds;
  if (!(medium < high && high < critical)) {
    problems.push(`detection.severity_thresholds: must satisfy medium < high < critical (got ${medium}, ${high}, ${critical})`);
  }
  const hours = global_safety.business_hours;
  if (hours.start_hour >= hours.end_hour) {
    problems.push(
      `global_safety.business_hours.end_hour: must be greater than start_hour (got ${hours.start_hour} to ${hours.end_hour}); for a window across midnight give the daytime hours with allow_actions "outside"`,
    );
  }
  const defer = strategy_limits.DEFER_AND_MONITOR;
  if ((defer.alert_after_deferrals ?? 0) > (defer.max_deferrals ?? 0)) {
    problems.push(
      `strategy_limits.DEFER_AND_MONITOR.alert_after_deferrals: must be <= max_deferrals (got ${defer.alert_after_deferrals} > ${defer.max_deferrals})`,
    );
  }
  const byPriority = new Map<number, Strategy[]>();
  for (const strategy of STRATEGIES) {
    const priority = strategy_priorities[strategy];
    byPriority.set(priority, [...(byPriority.get(priority) ?? []), strategy]);
  }
  for (const [priority, strategies] of byPriority) {
    if (strategies.length > 1) problems.push(`strategy_priorities: must be distinct (got ${priority} for ${strategies.join(' and ')})`);
  }
}

function merge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(patch)) {
    // defineProperty: a JSON key "__proto__" stays a plain (and then unknown) key instead of a prototype.
    const merged = Object.hasOwn(out, key) ? merge(out[key], value) : structuredClone(value);
    Object.defineProperty(out, key, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  const segment = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key);
  if (!path) return segment;
  return segment.startsWith('"') ? `${path}[${segment}]` : `${path}.${segment}`;
}

function show(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
