import type { TimeScale } from './time-scale';

const DURATION_KEY = /_(ms|seconds|minutes|hours)$/;
const RATE_KEY = /_per_(second|minute|hour)$/;
/**
 * Left at real time: the cycle lock, slot and abandoned-send limits guard the process itself, and are
 * measured against real send timeouts; compressed, a send still on the wire would count as abandoned.
 */
const REAL_TIME_SECTIONS = new Set(['cycle']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Every duration and rate in `defaults` (the service's own DEFAULT_RULES, so a setting added later is
 * scaled too) compressed by `scale`: durations shrink, rates grow. Returns only the scaled settings,
 * as a partial rules document for AUTOHEAL_CONFIG_FILE.
 */
export function scaleRules(defaults: object, scale: TimeScale): Record<string, unknown> {
  const walk = (node: Json, path: string[]): Json | undefined => {
    if (typeof node === 'number') {
      const key = path[path.length - 1];
      if (DURATION_KEY.test(key)) return node / scale.speedup;
      if (RATE_KEY.test(key)) return node * scale.speedup;
      return undefined;
    }
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    const scaled: Record<string, Json> = {};
    for (const [key, value] of Object.entries(node)) {
      if (path.length === 0 && REAL_TIME_SECTIONS.has(key)) continue;
      const child = walk(value, [...path, key]);
      if (child !== undefined) scaled[key] = child;
    }
    return Object.keys(scaled).length > 0 ? scaled : undefined;
  };
  return (walk(defaults as Json, []) as Record<string, unknown> | undefined) ?? {};
}

/** `a.b.c: 60 → 0.1` lines for the run's log, so the reader sees what was compressed. */
export function describeScaledRules(defaults: object, scaled: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const walk = (original: unknown, node: unknown, path: string[]) => {
    if (typeof node === 'number') {
      lines.push(`${path.join('.')}: ${original} → ${Number(node.toPrecision(4))}`);
      return;
    }
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      walk((original as Record<string, unknown>)[key], value, [...path, key]);
    }
  };
  walk(defaults, scaled, []);
  return lines;
}
