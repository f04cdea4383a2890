export const TRIAGE_LABELS = [
  'transient_endpoint_down',
  'rate_limited',
  'invalid_payload',
  'permanent_4xx',
  'unknown',
] as const;
export type TriageLabel = (typeof TRIAGE_LABELS)[number];

// TODO(helper): classifyFailure(...) — see the deliveries/triage task.
