import type { Receipt } from './flaky-receiver';
import type { TimeScale } from './time-scale';

/** The goals for every outage length. */
export const GOALS = { lost: 0, duplicates: 0, lastDeliveryMinutes: 2, resendsPerProbeInterval: 1 };

export interface OutageWindow {
  /** Real epoch ms. */
  downFrom: number;
  recoveredAt: number;
  /** The service's probe interval, real ms: the yardstick for sends into the down endpoint. */
  probeIntervalMs: number;
  scale: TimeScale;
}

export interface OutageMetrics {
  webhooks: number;
  delivered: number;
  lost: number;
  /** Scenario minutes from recovery to the first / last webhook acknowledged; null when none was. */
  firstAfterRecovery: number | null;
  lastAfterRecovery: number | null;
  /** Ids acknowledged later than the goal after recovery, with their lateness in scenario minutes. */
  late: Array<{ id: string; minutes: number }>;
  /** Requests into the down endpoint other than each webhook's own first attempt. */
  resendsWhileDown: number;
  resendsPerWebhook: number;
  /** Averaged over the outage, and the most in any one probe interval. */
  resendsPerProbeInterval: { avg: number; max: number };
  /** Scenario seconds between consecutive re-sends into the down endpoint, smallest; null with fewer than two. */
  minResendGapSeconds: number | null;
  duplicates: number;
  /** Webhooks whose own first attempt found the endpoint up: the dispatcher fell behind the outage, the run says nothing about healing. */
  firstAttemptsWhileUp: number;
  /** The most requests at once after recovery. */
  maxConcurrencyAfterRecovery: number;
}

/** What one dispatcher achieved, from its receiver's receipts alone. */
export function measureOutage(receipts: readonly Receipt[], webhookIds: readonly string[], window: OutageWindow): OutageMetrics {
  const { scale, recoveredAt, downFrom, probeIntervalMs } = window;
  const wanted = new Set(webhookIds);
  const firstAck = new Map<string, number>();
  let duplicates = 0;
  for (const r of receipts) {
    if (r.status >= 300 || r.id === null || !wanted.has(r.id)) continue;
    if (firstAck.has(r.id)) duplicates += 1;
    else firstAck.set(r.id, r.at);
  }
  const lateness = [...firstAck.entries()].map(([id, at]) => ({ id, minutes: scale.scenarioMinutes(at - recoveredAt) }));
  const minutes = lateness.map((l) => l.minutes);
  const resends = receipts
    .filter((r) => r.whileDown && !r.first)
    .map((r) => r.at)
    .sort((a, b) => a - b);
  const intervals = Math.max(1, (recoveredAt - downFrom) / probeIntervalMs);
  const gaps = resends.slice(1).map((at, i) => at - resends[i]);
  return {
    webhooks: webhookIds.length,
    delivered: firstAck.size,
    lost: webhookIds.length - firstAck.size,
    firstAfterRecovery: minutes.length > 0 ? Math.min(...minutes) : null,
    lastAfterRecovery: minutes.length > 0 ? Math.max(...minutes) : null,
    late: lateness.filter((l) => l.minutes > GOALS.lastDeliveryMinutes).sort((a, b) => b.minutes - a.minutes),
    resendsWhileDown: resends.length,
    resendsPerWebhook: resends.length / Math.max(1, webhookIds.length),
    resendsPerProbeInterval: { avg: resends.length / intervals, max: maxInWindow(resends, probeIntervalMs) },
    minResendGapSeconds: gaps.length > 0 ? scale.scenarioMinutes(Math.min(...gaps)) * 60 : null,
    duplicates,
    firstAttemptsWhileUp: receipts.filter((r) => r.first && !r.whileDown && r.id !== null && wanted.has(r.id)).length,
    maxConcurrencyAfterRecovery: Math.max(0, ...receipts.filter((r) => r.at >= recoveredAt).map((r) => r.concurrency)),
  };
}

/** The most of the sorted times that fall in any window [t, t + width). */
export function maxInWindow(sortedTimes: readonly number[], width: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < sortedTimes.length; end++) {
    while (sortedTimes[end] - sortedTimes[start] >= width) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** The goals an outage's result misses, in words; empty when it meets them all. */
export function missedGoals(m: OutageMetrics): string[] {
  const missed: string[] = [];
  if (m.firstAttemptsWhileUp > 0) {
    const fix = 'the dispatcher fell behind; slow the --scale';
    missed.push(`INVALID RUN: ${m.firstAttemptsWhileUp} first attempts found the endpoint up (${fix})`);
  }
  if (m.lost > GOALS.lost) missed.push(`${m.lost} lost`);
  if (m.duplicates > GOALS.duplicates) missed.push(`${m.duplicates} duplicates`);
  if (m.lastAfterRecovery !== null && m.lastAfterRecovery > GOALS.lastDeliveryMinutes) {
    missed.push(`last delivery ${fmt(m.lastAfterRecovery)} min after recovery`);
  }
  if (m.resendsPerProbeInterval.max > GOALS.resendsPerProbeInterval) {
    missed.push(`${m.resendsPerProbeInterval.max} sends into the down endpoint in one probe interval`);
  }
  return missed;
}

export const fmt = (value: number | null, digits = 1): string => (value === null || Number.isNaN(value) ? '–' : value.toFixed(digits));

/** A GitHub-flavoured markdown table, columns padded so it reads as well in a terminal. */
export function markdownTable(header: string[], rows: string[][]): string {
  for (const row of rows) {
    if (row.length !== header.length) throw new Error(`markdownTable: a row has ${row.length} cells, the header ${header.length}`);
  }
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export interface OutageRow {
  outage: string;
  dispatcher: string;
  metrics: OutageMetrics;
}

export const RESULT_HEADER = [
  'outage',
  'dispatcher',
  'delivered',
  'lost',
  'first after recovery (min)',
  'last after recovery (min)',
  'down-endpoint re-sends / webhook',
  'down-endpoint re-sends / probe interval (avg, max (closest two))',
  'duplicates',
  'goals missed',
];

export function resultTable(rows: readonly OutageRow[]): string {
  return markdownTable(
    RESULT_HEADER,
    rows.map(({ outage, dispatcher, metrics: m }) => [
      outage,
      dispatcher,
      `${m.delivered}/${m.webhooks}`,
      String(m.lost),
      fmt(m.firstAfterRecovery),
      fmt(m.lastAfterRecovery),
      fmt(m.resendsPerWebhook, 2),
      `${fmt(m.resendsPerProbeInterval.avg, 2)}, ${m.resendsPerProbeInterval.max}` +
        (m.minResendGapSeconds === null ? '' : ` (closest ${fmt(m.minResendGapSeconds, 0)} s)`),
      String(m.duplicates),
      missedGoals(m).join('; ') || 'none',
    ]),
  );
}
