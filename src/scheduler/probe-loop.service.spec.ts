import { SchedulerRegistry } from '@nestjs/schedule';
import { ManualClock, SystemClock } from '../clock/clock';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import type { AutohealEngine, CycleTrigger } from '../engine/autoheal-engine.service';
import { MemoryIncidentStore } from '../incidents/memory-incident-store.adapter';
import { StaticRulesSource } from '../rules/rules.source';
import { validateRules } from '../rules/rules.validation';
import { soonDelayMs, PROBE_JOB, PROBE_WAKE_MARGIN_MS, ProbeLoop, probeIntervalSeconds, probeWakeDelayMs } from './probe-loop.service';

describe('ProbeLoop', () => {
  const clock = new ManualClock(new Date('2026-11-27T12:00:00Z'));
  let runs: CycleTrigger[];
  let failWith: Error | null;
  let release: (() => void) | null;

  const engine = {
    runCycle: async (_now: Date, _dryRun: boolean, trigger: CycleTrigger) => {
      runs.push(trigger);
      if (release === null) await Promise.resolve();
      else await new Promise<void>((resolve) => (release = resolve));
      if (failWith) throw failWith;
      return { incidents_detected: 0, actions_taken: [], actions_skipped: [], dry_run: false };
    },
  } as unknown as AutohealEngine;
  const rules = validateRules({
    strategy_limits: { RECOVER_BACKLOG: { probe_interval_seconds: 30 } },
    tenant_overrides: { fast: { strategy_limits: { RECOVER_BACKLOG: { probe_interval_seconds: 0.25 } } } },
  });
  const loop = (interval = '300', registry = new SchedulerRegistry()) =>
    new ProbeLoop(
      engine,
      registry,
      AppConfig.fromEnv({ AUTOHEAL_INTERVAL_SECONDS: interval }),
      clock,
      new StaticRulesSource(rules),
      new MemoryIncidentStore(),
    );

  beforeEach(() => {
    runs = [];
    failWith = null;
    release = null;
  });

  it('probes as often as the fastest tenant needs, fractions of a second included', () => {
    expect(probeIntervalSeconds(rules)).toBe(0.25);
    expect(probeIntervalSeconds(validateRules({}))).toBe(60);
  });

  it('runs the engine over the active incidents only, one tick at a time, never throwing', async () => {
    const l = loop();
    release = () => undefined;
    const first = l.tick();
    const second = l.tick();
    release!();
    await Promise.all([first, second]);
    expect(runs).toEqual(['probe']);
    failWith = new DomainError('cycle_in_progress', 'busy');
    release = null;
    await expect(l.tick()).resolves.toBeUndefined();
    failWith = new Error('database gone');
    await expect(l.tick()).resolves.toBeUndefined();
    expect(runs).toEqual(['probe', 'probe', 'probe']);
  });

  it('registers under its own name, and not at all when scheduled healing is off', () => {
    const on = new SchedulerRegistry();
    loop('300', on).onApplicationBootstrap();
    try {
      expect(on.getIntervals()).toEqual([PROBE_JOB]);
    } finally {
      on.deleteInterval(PROBE_JOB);
    }
    const off = new SchedulerRegistry();
    loop('0', off).onApplicationBootstrap();
    expect(off.getIntervals()).toEqual([]);
  });

  it('wakes up for the earliest probe due before the next tick, never for one the last tick already had', () => {
    // Due 300 ms after a tick at 1000, next tick at 2000: wake at 1302.
    expect(probeWakeDelayMs([1_300, 5_000], 1_000, 2_000, 1_050)).toBe(1_300 + PROBE_WAKE_MARGIN_MS - 1_050);
    // Due at or before the tick that just ran (it skipped it: lease, maintenance…): the regular tick retries.
    expect(probeWakeDelayMs([900, 1_000], 1_000, 2_000, 1_050)).toBeNull();
    // Due after the next regular tick: that tick takes it.
    expect(probeWakeDelayMs([2_500], 1_000, 2_000, 1_050)).toBeNull();
    expect(probeWakeDelayMs([], 1_000, 2_000, 1_050)).toBeNull();
  });

  it('after a tick refused as busy, retries a tenth of an interval later unless the regular tick comes first', () => {
    expect(soonDelayMs(1_000, 2_000, 1_050)).toBe(100);
    expect(soonDelayMs(1_000, 2_000, 1_950)).toBeNull();
    expect(soonDelayMs(10, 2_000, 1_050)).toBe(PROBE_WAKE_MARGIN_MS);
  });

  describe('on its timers', () => {
    beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-27T12:00:00Z') }));
    afterEach(() => jest.useRealTimers());

    const intervalMs = 1_000;
    /** The loop on the system clock (faked by jest) at one probe per intervalMs, booted and run for `forMs`. */
    const runLoop = async (engineUnderTest: AutohealEngine, store: MemoryIncidentStore, forMs: number) => {
      const fastRules = validateRules({ strategy_limits: { RECOVER_BACKLOG: { probe_interval_seconds: intervalMs / 1000 } } });
      const registry = new SchedulerRegistry();
      const config = AppConfig.fromEnv({ AUTOHEAL_INTERVAL_SECONDS: '300' });
      const probeLoop = new ProbeLoop(engineUnderTest, registry, config, new SystemClock(), new StaticRulesSource(fastRules), store);
      probeLoop.onApplicationBootstrap();
      try {
        await jest.advanceTimersByTimeAsync(forMs);
      } finally {
        registry.deleteInterval(PROBE_JOB);
        probeLoop.onApplicationShutdown();
      }
    };

    it('probes a down endpoint once per probe interval, not once every two, when a probe is due just after a tick', async () => {
      const roundTripMs = 40;
      const store = new MemoryIncidentStore();
      const system = new SystemClock();
      const at = system.now();
      const { incident } = await store.openOrUpdate(
        {
          tenantId: 't',
          endpoint: 'https://down.example.com/hook',
          kind: 'sustained_outage',
          severity: 'high',
          firstFailureAt: at,
          lastFailureAt: at,
          backlogSize: 10,
        },
        at,
      );
      await store.transition(incident.id, ['open'], 'probing', { next_probe_at: at }, { type: 'state_changed', at, actor: 'test' });
      // The engine as RecoverBacklogExecutor behaves: a due probe takes a round trip, and the next is due an interval after it came back.
      const probes: number[] = [];
      const probingEngine = {
        runCycle: async (now: Date) => {
          const [record] = await store.active({ states: ['probing'] });
          if (record.next_probe_at && record.next_probe_at.getTime() > now.getTime()) return { actions_taken: [], actions_skipped: [] };
          probes.push(now.getTime());
          await new Promise((resolve) => setTimeout(resolve, roundTripMs));
          const next = new Date(system.now().getTime() + intervalMs);
          await store.transition(record.id, ['probing'], 'probing', { next_probe_at: next }, { type: 'probe', at: now, actor: 'test' });
          return { actions_taken: [{}], actions_skipped: [] };
        },
      } as unknown as AutohealEngine;
      await runLoop(probingEngine, store, 10_500);
      const gaps = probes.slice(1).map((t, i) => t - probes[i]);
      // Ticks alone: 1000, 3000, 5000… (each probe due 40 ms after a tick). Woken when due: ~every 1042 ms.
      expect(probes.length).toBeGreaterThanOrEqual(9);
      for (const gap of gaps) {
        expect(gap).toBeGreaterThanOrEqual(intervalMs + roundTripMs);
        expect(gap).toBeLessThanOrEqual(intervalMs + roundTripMs + 10);
      }
    });

    it('a probe tick refused because a cycle holds the lock is retried within a tenth of an interval, not a whole one', async () => {
      const system = new SystemClock();
      const bootAt = system.now().getTime();
      // A full cycle holds the cluster lock from 950 to 1250 ms after boot: the tick at 1000 is refused.
      const lockedUntil = bootAt + 1_250;
      const probes: number[] = [];
      const busyEngine = {
        runCycle: async (now: Date) => {
          if (now.getTime() >= bootAt + 950 && now.getTime() < lockedUntil) throw new DomainError('cycle_in_progress', 'busy');
          probes.push(now.getTime() - bootAt);
          return { actions_taken: [{}], actions_skipped: [] };
        },
      } as unknown as AutohealEngine;
      await runLoop(busyEngine, new MemoryIncidentStore(), 1_900);
      // Refused at 1000, 1100, 1200; run at 1300, not at the next tick (2000).
      expect(probes).toEqual([1_300]);
    });

    it('while an approval is pending it looks again every tenth of an interval, so an approved incident is probed soon', async () => {
      const store = new MemoryIncidentStore();
      const system = new SystemClock();
      const bootAt = system.now().getTime();
      const at = system.now();
      const open = {
        tenantId: 't',
        endpoint: 'https://critical.example.com/hook',
        kind: 'failure_burst' as const,
        severity: 'critical' as const,
      };
      const { incident } = await store.openOrUpdate({ ...open, firstFailureAt: at, lastFailureAt: at, backlogSize: 200 }, at);
      await store.transition(incident.id, ['open'], 'probing', { next_probe_at: at }, { type: 'state_changed', at, actor: 'test' });
      const plan = { plan: { count: 200, oldest_at: at.toISOString(), target: open.endpoint }, ttlMinutes: 60, actor: 'autoheal' };
      const { approval } = await store.requestApproval(incident.id, plan, at);
      // The operator approves 1150 ms after boot, just after a tick (approving makes the probe due at the decision).
      const decide = () => store.decideApproval(approval.id, 'approve', { actor: 'oncall', note: null, now: new Date() });
      setTimeout(() => void decide(), 1_150);
      const probes: number[] = [];
      const probingEngine = {
        runCycle: async (now: Date) => {
          const [record] = await store.active({ states: ['probing'] });
          if (record && record.next_probe_at!.getTime() <= now.getTime()) {
            probes.push(now.getTime() - bootAt);
            const next = { next_probe_at: new Date(now.getTime() + intervalMs) };
            await store.transition(record.id, ['probing'], 'probing', next, { type: 'probe', at: now, actor: 'test' });
          }
          return { actions_taken: [], actions_skipped: [] };
        },
      } as unknown as AutohealEngine;
      await runLoop(probingEngine, store, 1_900);
      // The tick at 1000 and the look at 1100 find it awaiting approval; the look at 1200 sees it approved, its probe
      // overdue, and wakes the loop at once (Node runs a 0 ms timer after 1 ms): not at the next regular tick, 2000.
      expect(probes).toEqual([1_201]);
    });
  });
});
