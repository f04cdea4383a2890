export const TRANSIENT_LABELS = ['transient_endpoint_down', 'rate_limited'];
export const PERMANENT_LABELS = ['permanent_4xx', 'invalid_payload'];

export interface TriageDistribution {
  total: number;
  /** An untriaged delivery (null label) counts as `unknown`. */
  counts: Record<string, number>;
  /** transient_endpoint_down + rate_limited */
  transient_ratio: number;
  /** permanent_4xx + invalid_payload */
  permanent_ratio: number;
  rate_limited_ratio: number;
  /** `unknown`, untriaged and unrecognised labels. */
  unknown_ratio: number;
  /** Ties: the order of TRIAGE_LABELS, then alphabetical; null when there are none. */
  dominant_label: string | null;
}

export function analyzeTriageDistribution(deliveries: { triage_label: string | null }[]): TriageDistribution {
  const counts: Record<string, number> = {};
  for (const { triage_label } of deliveries) {
    const label = triage_label ?? 'unknown';
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return distributionFromCounts(counts);
}

export function distributionFromCounts(counts: Record<string, number>): TriageDistribution {
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const sum = (labels: string[]) => labels.reduce((acc, label) => acc + (counts[label] ?? 0), 0);
  const ratio = (n: number) => (total === 0 ? 0 : n / total);
  const transient = sum(TRANSIENT_LABELS);
  const permanent = sum(PERMANENT_LABELS);
  return {
    total,
    counts: { ...counts },
    transient_ratio: ratio(transient),
    permanent_ratio: ratio(permanent),
    rate_limited_ratio: ratio(counts.rate_limited ?? 0),
    unknown_ratio: ratio(total - transient - permanent),
    dominant_label: dominantLabel(counts),
  };
}

const LABEL_ORDER = [...TRANSIENT_LABELS, ...PERMANENT_LABELS, 'unknown'];

function dominantLabel(counts: Record<string, number>): string | null {
  const rank = (label: string) => (LABEL_ORDER.includes(label) ? LABEL_ORDER.indexOf(label) : LABEL_ORDER.length);
  const labels = Object.keys(counts).filter((label) => counts[label] > 0);
  labels.sort((a, b) => counts[b] - counts[a] || rank(a) - rank(b) || a.localeCompare(b));
  return labels[0] ?? null;
}
