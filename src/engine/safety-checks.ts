import type { Incident } from '../anomalies/incident';
import type { StrategyPredictor } from '../predictors/strategy-predictor.port';
import { EffectiveLimits, requiresApprovalForCritical } from '../rules/effective-limits';
import type { AutohealRules, BusinessHours, Strategy } from '../rules/rules.types';

/**
 * Strategies that act on a tenant's traffic. They are what cooldowns, business hours and the
 * hourly heal cap restrain; escalating to a person and deferring are always allowed.
 * RECOVER_BACKLOG: a drain is one heal, counted when a probe's 2xx starts it (drainStartProblem);
 * probes are single deliveries and are not counted, so an incident keeps probing under the cap.
 */
export const INTRUSIVE_STRATEGIES: readonly Strategy[] = ['REPLAY_RECENT', 'RATE_LIMIT_SOURCE', 'SILENCE_DUPES', 'RECOVER_BACKLOG'];

/** Everything the checks need, gathered before any of them runs, so the checks stay pure. */
export interface SafetyFacts {
  /** Gives the severity and confidence verdicts. */
  predictor: StrategyPredictor;
  now: Date;
  rules: AutohealRules;
  incident: Incident;
  strategy: Strategy;
  probability: number;
  limits: EffectiveLimits;
  killSwitch: { enabled: boolean; reason?: string | null };
  /** Why coordination (Redis) cannot be trusted right now; null when it answers. */
  coordinationProblem: string | null;
  maintenance: { until: Date; reason: string | null } | null;
  /** When the endpoint was last healed, if its cooldown is still set. */
  lastHealedAt: Date | null;
  /** Replay candidates after the time window and triage filters (REPLAY_RECENT only). */
  eligibleDeliveries: number;
  /** Replay candidates before the triage filter (REPLAY_RECENT only). */
  recentFailures: number;
  /** When this tenant+endpoint incident was first seen (for escalation_delay_minutes). */
  firstSeenAt: Date;
  /** Heals counted cluster-wide this hour, including this cycle's own so far. */
  healsThisHour: number;
  /** An operator approved recovering this incident. */
  approved?: boolean;
  /** An operator approved throttling this incident's tenant for up to this many minutes. */
  approvedThrottleMinutes?: number;
}

export type SafetyVerdict =
  | { allowed: true }
  /** `needs_approval`: the strategy may run once an operator approves it. */
  | { allowed: false; check: SafetyCheckName; reason: string; needs_approval?: true };

type Refusal = string | { reason: string; needs_approval: true } | null;
type Check = (facts: SafetyFacts) => Refusal;

/** Severity and confidence are the predictor's own final checks (shouldApply), run here in the guide's order. */
function predictorVerdict(f: SafetyFacts, check: 'severity' | 'confidence'): Refusal {
  const verdict = f.predictor.shouldApply(f.incident, f.strategy, {
    probability: f.probability,
    min_confidence: f.rules.global_safety.min_confidence,
    strategy_min_confidence: f.limits.min_confidence,
    require_approval_for_critical: requiresApprovalForCritical(f.rules, f.incident.tenant_id),
    approved: f.approved === true,
  });
  if (verdict.check !== check || !verdict.reason) return null;
  return verdict.needs_approval ? { reason: verdict.reason, needs_approval: true } : verdict.reason;
}

/** Whether the cooldown check reads `lastHealedAt` (so the engine only fetches it then). */
export function cooldownApplies(strategy: Strategy, limits: EffectiveLimits): boolean {
  return isIntrusive(strategy) && (limits.cooldown_minutes ?? 0) > 0;
}

/** Whether the tenant-policy check reads `firstSeenAt`. A critical incident pages at once, whatever the tenant's delay. */
export function escalationDelayApplies(strategy: Strategy, limits: EffectiveLimits, incident: Incident): boolean {
  return strategy === 'ESCALATE_OPERATOR' && limits.escalation_delay_minutes > 0 && incident.severity !== 'critical';
}

const minutes = (ms: number) => `${(Math.round(ms / 6000) / 10).toString()}m`;
const isIntrusive = (strategy: Strategy) => INTRUSIVE_STRATEGIES.includes(strategy);

/**
 * The guide's "Multi-Layer Safety Checks", in its order, plus the coordination precondition
 * and the cluster-wide hourly cap. Every limit of the rules is enforced in this table, and every
 * action of every strategy passes through `runSafetyChecks` before it executes. Executors add
 * only their own preconditions (the replay target guard and claim, escalation de-duplication).
 */
export const SAFETY_CHECKS = [
  ['coordination', (f) => (f.coordinationProblem ? `Coordination store unreachable (${f.coordinationProblem}): no action taken` : null)],
  [
    'kill_switch',
    (f) => {
      if (!f.killSwitch.enabled)
        return `Auto-healing disabled by the global kill switch${f.killSwitch.reason ? ` (${f.killSwitch.reason})` : ''}`;
      if (!f.limits.autoheal_enabled) return `Auto-healing disabled for tenant ${f.incident.tenant_id}`;
      return null;
    },
  ],
  ['severity', (f) => predictorVerdict(f, 'severity')],
  ['confidence', (f) => predictorVerdict(f, 'confidence')],
  [
    'maintenance',
    (f) =>
      f.maintenance && f.maintenance.until > f.now
        ? `Endpoint in maintenance ` +
          `mode${f.maintenance.reason ? ` (${f.maintenance.reason})` : ''} until ${f.maintenance.until.toISOString()}`
        : null,
  ],
  [
    'cooldown',
    (f) => {
      if (!cooldownApplies(f.strategy, f.limits) || !f.lastHealedAt) return null;
      const cooldownMs = (f.limits.cooldown_minutes ?? 0) * 60_000;
      const elapsed = f.now.getTime() - f.lastHealedAt.getTime();
      return elapsed < cooldownMs ? `Cooldown active (${minutes(Math.max(0, elapsed))} < ${minutes(cooldownMs)})` : null;
    },
  ],
  ['business_hours', (f) => (isIntrusive(f.strategy) ? businessHoursProblem(f.rules.global_safety.business_hours, f.now) : null)],
  [
    'strategy_limits',
    (f) => {
      if (f.strategy === 'RATE_LIMIT_SOURCE') return floodProblem(f);
      if (f.strategy === 'SILENCE_DUPES') return duplicatesProblem(f);
      if (f.strategy !== 'REPLAY_RECENT') return null;
      const window = f.limits.time_window_minutes;
      if (f.recentFailures === 0) return `No failed deliveries in the last ${window} minutes to replay`;
      if (f.eligibleDeliveries === 0) {
        return (
          `No replayable deliveries: none of ${f.recentFailures} recent failures has an ` +
          `allowed triage label (${(f.limits.allowed_triage_labels ?? []).join(', ')})`
        );
      }
      const max = f.limits.max_deliveries ?? 0;
      if (f.incident.failures > max) return `Incident has ${f.incident.failures} failures, above the ${max}-delivery replay limit`;
      return null;
    },
  ],
  [
    'tenant_policy',
    (f) => {
      if (!f.limits.strategy_allowed) return `Tenant ${f.incident.tenant_id} does not allow ${f.strategy}`;
      if (escalationDelayApplies(f.strategy, f.limits, f.incident)) {
        const waited = f.now.getTime() - f.firstSeenAt.getTime();
        const delay = f.limits.escalation_delay_minutes * 60_000;
        if (waited < delay) return `Escalation delayed by tenant policy (${minutes(waited)} < ${minutes(delay)})`;
      }
      return null;
    },
  ],
  [
    'throttle_approval',
    (f) => {
      if (f.strategy !== 'RATE_LIMIT_SOURCE') return null;
      const minutes = f.limits.duration_minutes ?? 30;
      const above = f.limits.approval_above_minutes ?? 60;
      if (minutes <= above || (f.approvedThrottleMinutes ?? 0) >= minutes) return null;
      return {
        reason: `Throttling tenant ${f.incident.tenant_id} for ${minutes} minutes (> ${above}) needs an operator's approval`,
        needs_approval: true,
      };
    },
  ],
  [
    'hourly_cap',
    (f) => {
      const cap = f.rules.global_safety.max_heals_per_hour;
      const counted = isIntrusive(f.strategy) && f.strategy !== 'RECOVER_BACKLOG';
      return counted && f.healsThisHour >= cap ? `Hourly heal cap reached (${f.healsThisHour}/${cap} this hour)` : null;
    },
  ],
] as const satisfies ReadonlyArray<readonly [string, Check]>;

/** RATE_LIMIT_SOURCE throttles only the tenant detection named, and only its own incident's tenant. */
function floodProblem(f: SafetyFacts): string | null {
  const named = f.incident.flooding_tenant;
  if (!named) return `No flooding tenant detected: RATE_LIMIT_SOURCE throttles only a tenant detection names`;
  if (named !== f.incident.tenant_id) return `Detection named tenant ${named}, not the incident's tenant ${f.incident.tenant_id}`;
  const factor = f.limits.throttle_factor ?? 0;
  if (!(factor > 0 && factor <= 1)) return `throttle_factor ${factor} is not a slowdown (must be > 0 and <= 1)`;
  return null;
}

function duplicatesProblem(f: SafetyFacts): string | null {
  const share = f.incident.error_signature?.share ?? 0;
  const ratio = f.limits.duplicate_ratio ?? 0.9;
  if (share > ratio) return null;
  return `Only ${Math.round(share * 100)}% of the failures share one error signature (SILENCE_DUPES needs > ${Math.round(ratio * 100)}%)`;
}

export type SafetyCheckName = (typeof SAFETY_CHECKS)[number][0];

/** First failing check wins: its reason is what the operator reads in actions_skipped. */
export function runSafetyChecks(facts: SafetyFacts): SafetyVerdict {
  for (const [check, run] of SAFETY_CHECKS) {
    const refusal = (run as Check)(facts);
    if (typeof refusal === 'string') return { allowed: false, check, reason: refusal };
    if (refusal) return { allowed: false, check, reason: refusal.reason, needs_approval: true };
  }
  return { allowed: true };
}

/**
 * The last check of RECOVER_BACKLOG, made when a probe's 2xx would start a drain: the drain is one
 * heal in the hourly cap, and at most storm.max_concurrent_drains drains run at once. Refused, the
 * incident keeps probing (the probe was a delivery all the same) and drains when there is room.
 */
export function drainStartProblem(rules: AutohealRules, healsThisHour: number, drainsRunning: number): string | null {
  const cap = rules.global_safety.max_heals_per_hour;
  if (healsThisHour >= cap) return `drain deferred: hourly heal cap reached (${healsThisHour}/${cap} this hour)`;
  const max = rules.storm.max_concurrent_drains;
  if (drainsRunning >= max) return `drain deferred: ${drainsRunning} drains already running (storm.max_concurrent_drains ${max})`;
  return null;
}

export function businessHoursProblem(hours: BusinessHours, now: Date): string | null {
  if (!hours.enabled) return null;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: hours.timezone,
    hour: 'numeric',
    hourCycle: 'h23',
    weekday: 'short',
  }).formatToParts(now);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.find((p) => p.type === 'weekday')?.value ?? '');
  const inside = hours.days.includes(day) && hour >= hours.start_hour && hour < hours.end_hour;
  if (hours.allow_actions === 'inside' && !inside) {
    return `Outside business hours (${hours.start_hour}:00-${hours.end_hour}:00 ${hours.timezone}); automatic actions wait for them`;
  }
  if (hours.allow_actions === 'outside' && inside) {
    return `Inside business hours (${hours.start_hour}:00-${hours.end_hour}:00 ${hours.timezone}); automatic actions run only off-hours`;
  }
  return null;
}

export interface ReplaySelection<T> {
  /** Failures inside the time window, before the triage filter. */
  recent: T[];
  /** What will be re-sent: allowed labels only, newest first, at most max_deliveries. */
  selected: T[];
  eligible: number;
}

/** The REPLAY_RECENT caps (time window, allowed triage labels, max deliveries), applied here only. */
export function selectReplayCandidates<T extends { created_at: Date | string; triage_label: string | null }>(
  failures: T[],
  limits: EffectiveLimits,
  now: Date,
): ReplaySelection<T> {
  const since = now.getTime() - (limits.time_window_minutes ?? 0) * 60_000;
  const recent = failures.filter((d) => new Date(d.created_at).getTime() >= since);
  const allowed = limits.allowed_triage_labels ?? [];
  const eligible = recent.filter((d) => d.triage_label !== null && (allowed as string[]).includes(d.triage_label));
  return { recent, selected: eligible.slice(0, Math.max(0, limits.max_deliveries ?? 0)), eligible: eligible.length };
}
