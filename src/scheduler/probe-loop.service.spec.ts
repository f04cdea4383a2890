import { SchedulerRegistry } from '@nestjs/schedule';
import { ManualClock } from '../clock/clock';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import type { AutohealEngine, CycleTrigger } from '../engine/autoheal-engine.service';
import { StaticRulesSource } from '../rules/rules.source';
import { validateRules } from '../rules/rules.validation';
import { PROBE_JOB, ProbeLoop, probeIntervalSeconds } from './probe-loop.service';

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
    new ProbeLoop(engine, registry, AppConfig.fromEnv({ AUTOHEAL_INTERVAL_SECONDS: interval }), clock, new StaticRulesSource(rules));

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
});
