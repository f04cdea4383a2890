import { setTimeout as wait } from 'node:timers/promises';
import { ManualClock } from '../clock/clock';

/** Waiting, as a port: pacing code never calls setTimeout itself, so tests can move time instead of spending it. */
export abstract class Sleeper {
  abstract sleep(ms: number): Promise<void>;
}

export class TimerSleeper extends Sleeper {
  async sleep(ms: number): Promise<void> {
    if (ms > 0) await wait(ms);
  }
}

/** Advances a ManualClock instead of waiting, then yields once so pending work can settle. */
export class ManualClockSleeper extends Sleeper {
  constructor(private readonly clock: ManualClock) {
    super();
  }

  async sleep(ms: number): Promise<void> {
    if (ms > 0) this.clock.advance(ms);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
