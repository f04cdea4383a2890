import { Coordination } from '../coordination/coordination.port';

const cooldownKey = (endpoint: string) => `cooldown:${endpoint}`;
const hourKey = (now: Date) => `heals:${now.toISOString().slice(0, 13)}`;
const firstSeenKey = (tenantId: string, endpoint: string) => `incident:first_seen:${tenantId}:${endpoint}`;
const HOUR_MS = 3_600_000;

/**
 * The short-lived, cluster-wide facts a cycle reads and writes: cooldowns, the hourly heal
 * counter, when an incident was first seen. A live cycle writes them to coordination; a dry run
 * keeps its writes in an overlay, so it decides exactly as a live run would without changing
 * anything (a second incident on a just-"healed" endpoint is in cooldown in both).
 */
export class CycleState {
  private readonly cooldowns = new Map<string, Date>();
  private readonly firstSeen = new Map<string, Date>();
  private healsAdded = 0;
  private healsAtStart = 0;

  private constructor(
    private readonly coordination: Coordination,
    private readonly dryRun: boolean,
    private readonly now: Date,
  ) {}

  static async open(coordination: Coordination, dryRun: boolean, now: Date): Promise<CycleState> {
    const state = new CycleState(coordination, dryRun, now);
    state.healsAtStart = await coordination.count(hourKey(now));
    return state;
  }

  get healsThisHour(): number {
    return this.healsAtStart + this.healsAdded;
  }

  async lastHealedAt(endpoint: string): Promise<Date | null> {
    const own = this.cooldowns.get(endpoint);
    if (own) return own;
    const stored = await this.coordination.get(cooldownKey(endpoint));
    return stored ? new Date(stored) : null;
  }

  /** The first cycle that would escalate the incident under a tenant delay stamps it; the stamp lives as long as the baseline window. */
  async firstSeenAt(tenantId: string, endpoint: string, ttlMs: number): Promise<Date> {
    const key = firstSeenKey(tenantId, endpoint);
    const own = this.firstSeen.get(key);
    if (own) return own;
    const stored = await this.coordination.get(key);
    if (stored) return new Date(stored);
    if (!this.dryRun) await this.coordination.setIfAbsent(key, this.now.toISOString(), ttlMs);
    this.firstSeen.set(key, this.now);
    return this.now;
  }

  /** A heal happened (or would have): start the endpoint's cooldown and count it this hour. */
  async recordHeal(endpoint: string, cooldownMinutes: number): Promise<void> {
    this.cooldowns.set(endpoint, this.now);
    this.healsAdded += 1;
    if (this.dryRun) return;
    if (cooldownMinutes > 0)
      await this.coordination.set(cooldownKey(endpoint), this.now.toISOString(), Math.ceil(cooldownMinutes * 60_000));
    await this.coordination.increment(hourKey(this.now), HOUR_MS);
  }

  static async clearCooldown(coordination: Coordination, endpoint: string): Promise<boolean> {
    return coordination.delete(cooldownKey(endpoint));
  }
}
