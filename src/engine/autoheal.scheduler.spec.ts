import { SchedulerRegistry } from '@nestjs/schedule';
import { ManualClock } from '../clock/clock';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import type { AutohealEngine, CycleTrigger } from './autoheal-engine.service';
import { AutohealScheduler } from './autoheal.scheduler';
import type { DeferralStore } from './state/deferral.store';

describe('AutohealScheduler', () => {
  const clock = new ManualClock(new Date('2026-11-27T12:00:00Z'));
  let runs: Array<{ dryRun: boolean; trigger: CycleTrigger }>;
  let nextRecheck: Date | null;
  let failWith: Error | null;

  const engine = {
    runCycle: async (_now: Date, dryRun: boolean, trigger: CycleTrigger) => {
      runs.push({ dryRun, trigger });
      if (failWith) throw failWith;
      return { incidents_detected: 0, actions_taken: [], actions_skipped: [], dry_run: dryRun };
    },
  } as unknown as AutohealEngine;
  const deferrals = { nextRecheckAt: async () => nextRecheck } as unknown as DeferralStore;
  const scheduler = (interval = 300) =>
    new AutohealScheduler(engine, deferrals, new SchedulerRegistry(), AppConfig.fromEnv({ AUTOHEAL_INTERVAL_SECONDS: String(interval) }), clock);

  beforeEach(() => {
    runs = [];
    nextRecheck = null;
    failWith = null;
  });

  it('runs a live cycle on each tick', async () => {
    await scheduler().tick('schedule');
    expect(runs).toEqual([{ dryRun: false, trigger: 'schedule' }]);
  });

  it('runs a recheck cycle only when a deferral has come due', async () => {
    const s = scheduler();
    nextRecheck = new Date(clock.now().getTime() + 60_000);
    await s['recheckIfDue']();
    expect(runs).toEqual([]);
    clock.advance(120_000);
    await s['recheckIfDue']();
    expect(runs).toEqual([{ dryRun: false, trigger: 'recheck' }]);
  });

  it('never lets a refused or failed cycle escape the timer', async () => {
    failWith = new DomainError('cycle_in_progress', 'busy');
    await expect(scheduler().tick('schedule')).resolves.toBeUndefined();
    failWith = new Error('database gone');
    await expect(scheduler().tick('schedule')).resolves.toBeUndefined();
    expect(runs).toHaveLength(2);
  });

  it('registers no jobs when the interval is 0', () => {
    const registry = new SchedulerRegistry();
    new AutohealScheduler(engine, deferrals, registry, AppConfig.fromEnv({ AUTOHEAL_INTERVAL_SECONDS: '0' }), clock).onApplicationBootstrap();
    expect(registry.getIntervals()).toEqual([]);
  });

  it('registers the cycle and the recheck poll under unique names', () => {
    const registry = new SchedulerRegistry();
    const s = new AutohealScheduler(engine, deferrals, registry, AppConfig.fromEnv({ AUTOHEAL_INTERVAL_SECONDS: '300' }), clock);
    s.onApplicationBootstrap();
    try {
      expect(registry.getIntervals().sort()).toEqual(['autoheal-cycle', 'autoheal-deferral-recheck']);
    } finally {
      for (const name of registry.getIntervals()) registry.deleteInterval(name);
    }
  });
});
