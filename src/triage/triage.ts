export const TRIAGE_LABELS = ['transient_endpoint_down', 'rate_limited', 'invalid_payload', 'permanent_4xx', 'unknown'] as const;
export type TriageLabel = (typeof TRIAGE_LABELS)[number];

export interface FailureSignal {
  status: string;
  http_status?: number | null;
  error?: string | null;
}

/** score is 0..1. */
export interface Triage {
  label: TriageLabel;
  score: number;
}

const FAILED = new Set(['failed', 'dead_letter']);

/** M1. The HTTP status, when there is one, is the strongest evidence; otherwise the error text. */
export function classifyFailure(signal: FailureSignal): Triage | null {
  if (!FAILED.has(signal.status)) return null;
  const error = signal.error?.trim() || '';
  const status = signal.http_status ?? undefined;

  const byStatus = status === undefined ? null : classifyStatus(status);
  if (byStatus) return byStatus;

  const byText = error ? classifyErrorText(error) : null;
  if (byText) return byText;

  return { label: 'unknown', score: error || status !== undefined ? 0.2 : 0.1 };
}

function classifyStatus(status: number): Triage | null {
  if (status === 429) return { label: 'rate_limited', score: 0.95 };
  if (status === 413) return { label: 'invalid_payload', score: 0.95 };
  if (status === 422) return { label: 'invalid_payload', score: 0.9 };
  if (status === 400) return { label: 'invalid_payload', score: 0.85 };
  // 408 Request Timeout is the receiver saying "I timed out waiting": a retry may well succeed.
  if (status === 408) return { label: 'transient_endpoint_down', score: 0.7 };
  if (status === 410) return { label: 'permanent_4xx', score: 0.95 };
  if (status === 401 || status === 403 || status === 404 || status === 405) return { label: 'permanent_4xx', score: 0.9 };
  if (status >= 400 && status < 500) return { label: 'permanent_4xx', score: 0.75 };
  if (status === 503) return { label: 'transient_endpoint_down', score: 0.95 };
  if (status === 502 || status === 504) return { label: 'transient_endpoint_down', score: 0.9 };
  if (status === 500) return { label: 'transient_endpoint_down', score: 0.8 };
  // Every 5xx is transient by the triage rule; 501 and 505 seldom heal by waiting, hence the low score.
  if (status === 501 || status === 505) return { label: 'transient_endpoint_down', score: 0.5 };
  if (status >= 500 && status < 600) return { label: 'transient_endpoint_down', score: 0.7 };
  return null;
}

interface TextRule {
  pattern: RegExp;
  triage: Triage;
}

// Ordered: the first match wins. Scores sit below the HTTP-status ones: text is weaker evidence.
const TEXT_RULES: TextRule[] = [
  { pattern: /too many requests|rate[ _-]?limit/i, triage: { label: 'rate_limited', score: 0.7 } },
  { pattern: /payload too large|entity too large|request body too large/i, triage: { label: 'invalid_payload', score: 0.7 } },
  { pattern: /\bECONNREFUSED\b|connection refused/i, triage: { label: 'transient_endpoint_down', score: 0.85 } },
  { pattern: /\bEAI_AGAIN\b|temporary failure in name resolution/i, triage: { label: 'transient_endpoint_down', score: 0.75 } },
  {
    pattern: /\bE(?:SOCKET)?TIMEDOUT\b|\bUND_ERR_(?:CONNECT|HEADERS|BODY)_TIMEOUT\b|time[ d]?\s?out/i,
    triage: { label: 'transient_endpoint_down', score: 0.75 },
  },
  {
    pattern: /\bECONNRESET\b|\bEPIPE\b|\bECONNABORTED\b|\bUND_ERR_SOCKET\b|socket hang up|connection reset|other side closed/i,
    triage: { label: 'transient_endpoint_down', score: 0.75 },
  },
  {
    pattern: /\bE(?:HOST|NET)UNREACH\b|\bEHOSTDOWN\b|(?:host|network) (?:is )?unreachable/i,
    triage: { label: 'transient_endpoint_down', score: 0.7 },
  },
  // A missing host name can be a typo that never heals, hence the lower score.
  { pattern: /\bENOTFOUND\b|getaddrinfo|dns (?:lookup|resolution) failed/i, triage: { label: 'transient_endpoint_down', score: 0.6 } },
];

// "Request failed with status code 503", "HTTP 503", "status: 429", "HTTP/1.1 502 Bad Gateway".
const STATUS_IN_TEXT = /\b(?:status(?:\s+code)?\s*[:=]?\s*|HTTP(?:\/\d(?:\.\d)?)?\s+)([1-5]\d\d)\b/i;

function classifyErrorText(error: string): Triage | null {
  for (const rule of TEXT_RULES) if (rule.pattern.test(error)) return { ...rule.triage };
  const quoted = STATUS_IN_TEXT.exec(error);
  const byStatus = quoted ? classifyStatus(Number(quoted[1])) : null;
  return byStatus ? { label: byStatus.label, score: round(byStatus.score * 0.8) } : null;
}

function round(score: number): number {
  return Math.round(score * 100) / 100;
}
