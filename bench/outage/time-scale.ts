/** Scenario time compressed into real time: `realMsPerScenarioMinute` real milliseconds stand for one scenario minute. */
export class TimeScale {
  constructor(readonly realMsPerScenarioMinute: number) {
    if (!Number.isFinite(realMsPerScenarioMinute) || realMsPerScenarioMinute <= 0) {
      throw new Error(`scale: must be a positive duration of real time per scenario minute (got ${realMsPerScenarioMinute})`);
    }
  }

  /** How many times faster than real time the scenario runs (600 when a minute takes 100 ms). */
  get speedup(): number {
    return 60_000 / this.realMsPerScenarioMinute;
  }

  realMs(scenarioMinutes: number): number {
    return scenarioMinutes * this.realMsPerScenarioMinute;
  }

  scenarioMinutes(realMs: number): number {
    return realMs / this.realMsPerScenarioMinute;
  }

  /** A scenario duration in seconds, as the service's settings take it, in real seconds. */
  realSeconds(scenarioSeconds: number): number {
    return scenarioSeconds / this.speedup;
  }
}

const UNITS_IN_MINUTES: Record<string, number> = { ms: 1 / 60_000, s: 1 / 60, m: 1, min: 1, h: 60 };

/** `90s`, `3m`, `2h`, `1.5h` → minutes. A bare number is minutes. */
export function parseMinutes(text: string, name = 'duration'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/.exec(text);
  if (!match) throw new Error(`${name}: must be a duration such as 90s, 3m or 2h (got ${JSON.stringify(text)})`);
  const minutes = Number(match[1]) * UNITS_IN_MINUTES[match[2] ?? 'm'];
  if (minutes <= 0) throw new Error(`${name}: must be longer than zero (got ${JSON.stringify(text)})`);
  return minutes;
}

/** `--scale`: the real time one scenario minute takes, `100ms` or `1s`; a bare number is milliseconds. */
export function parseScale(text: string): TimeScale {
  const bare = /^\s*\d+(\.\d+)?\s*$/.test(text);
  return new TimeScale(bare ? Number(text) : parseMinutes(text, 'scale') * 60_000);
}

/** `3m,30m,2h` → minutes, in the order given, without repeats. */
export function parseLengths(text: string): number[] {
  const lengths = text.split(',').map((part) => parseMinutes(part, 'lengths'));
  return [...new Set(lengths)];
}

/** 3 → `3 min`, 120 → `2 h`, 90 → `90 min`. */
export function formatLength(minutes: number): string {
  return minutes >= 60 && minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}
