import { SchedulerRegistry } from '@nestjs/schedule';
import { ManualClock } from '../clock/clock';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { MemoryDeferralStore } from '../deferrals/memory-deferral-store.adapter';
import type { AutohealEngine, CycleTrigger } from '../engine/autoheal-engine.service';
import { AutohealScheduler } from './autoheal-scheduler.service';

describe('AutohealScheduler', () => {
  const clock = new ManualClock(new Date('2026-11-27T12:00:00Z'));
  let runs: Array<{ dryRun: boolean; trigger: CycleTrigger }>;
  let deferrals: MemoryDeferralStore;
  let failWith: Error | null;

  const engine = {
    runCycle: async (_now: Date, dryRun: boolean, trigger: CycleTrigger) => {
      runs.push({ dryRun, trigger });
      if (failWith) throw failWith;
      return { incidents_detected: 0, actions_taken: [], actions_skipped: [], dry_run: dryRun };
    },
  } as unknown as AutohealEngine;
  const scheduler = (interval = '300', registry = new SchedulerRegistry()) =>
    new AutohealScheduler(engine, deferrals, registry, AppConfig.fromEnv({ AUTOHEAL_INTERVAL_SECONDS: interval }), clock);

  beforeEach(() => {
    runs = [];
    deferrals = new MemoryDeferralStore();
    failWith = null;
  });

  it('runs a live cycle on each tick', async () => {
    await scheduler().tick('schedule');
    expect(runs).toEqual([{ dryRun: false, trigger: 'schedule' }]);
  });

  it('runs a recheck cycle only when a deferral has come due, once per due time', async () => {
    const s = scheduler();
    await deferrals.record('tenant-1', 'https://a.example.com/hook', clock.now(), new Date(clock.now().getTime() + 60_000));
    await s.recheckIfDue();
    expect(runs).toEqual([]);
    clock.advance(120_000);
    await s.recheckIfDue();
    await s.recheckIfDue();
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
    scheduler('0', registry).onApplicationBootstrap();
    expect(registry.getIntervals()).toEqual([]);
  });

  it('registers the cycle and the recheck poll under unique names', () => {
    const registry = new SchedulerRegistry();
    scheduler('300', registry).onApplicationBootstrap();
    try {
      expect(registry.getIntervals().sort()).toEqual(['autoheal-cycle', 'autoheal-deferral-recheck']);
    } finally {
      for (const name of registry.getIntervals()) registry.deleteInterval(name);
    }
  });

  describe('on its timers', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    const started = (interval: string) => {
      const registry = new SchedulerRegistry();
      scheduler(interval, registry).onApplicationBootstrap();
      return () => registry.getIntervals().forEach((name) => registry.deleteInterval(name));
    };

    it('runs a scheduled cycle every interval, fractions of a second included', async () => {
      const stop = started('0.5');
      try {
        await jest.advanceTimersByTimeAsync(1_000);
        expect(runs).toEqual([
          { dryRun: false, trigger: 'schedule' },
          { dryRun: false, trigger: 'schedule' },
        ]);
      } finally {
        stop();
      }
    });

    it('polls for due deferrals between scheduled cycles', async () => {
      const stop = started('20');
      try {
        await deferrals.record('tenant-1', 'https://a.example.com/hook', clock.now(), clock.now());
        await jest.advanceTimersByTimeAsync(15_000);
        expect(runs).toEqual([{ dryRun: false, trigger: 'recheck' }]);
        await jest.advanceTimersByTimeAsync(5_000);
        expect(runs).toEqual([
          { dryRun: false, trigger: 'recheck' },
          { dryRun: false, trigger: 'schedule' },
        ]);
      } finally {
        stop();
      }
    });
  });
});
