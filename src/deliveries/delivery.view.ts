import type { DeliveryDetail, DeliveryRecord } from './delivery-store.port';

// Readers (viewer role included) see the ledger, not the credentials a receiver expects;
// the replayer reads the stored headers through DeliveryStore, unredacted.
const SENSITIVE_HEADER = /^(?:authorization|proxy-authorization|cookie|set-cookie)$|secret|token|api[-_]?key|password|signature/i;
export const REDACTED = '[redacted]';

export function redactHeaders(headers: Record<string, string> | null): Record<string, string> | null {
  if (!headers) return headers;
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, SENSITIVE_HEADER.test(name) ? REDACTED : value]));
}

export function toDeliveryView(delivery: DeliveryRecord): DeliveryRecord {
  return { ...delivery, headers: redactHeaders(delivery.headers) };
}

export function toDeliveryDetailView(delivery: DeliveryDetail): DeliveryDetail {
  return { ...delivery, headers: redactHeaders(delivery.headers) };
}
