import { EndpointRef, endpointKey } from '../common/endpoint-key';
import type { DeliveryStore } from '../deliveries/delivery-store.port';
import { effectiveLimits } from '../rules/effective-limits';
import type { AutohealRules } from '../rules/rules.types';

const DEFAULT_MAX_BACKLOG_AGE_HOURS = 72;

/**
 * Where a new incident's backlog begins, by endpointKey: the first failure since the endpoint's last
 * delivered delivery (bounded by the tenant's RECOVER_BACKLOG.max_backlog_age_hours), or the start of the
 * recent detection window when that is earlier. A long outage is seen only once enough failures are in
 * the window; the failures before it are part of the same outage and must be drained too.
 */
export async function outageStartsOf(
  deliveries: DeliveryStore,
  refs: readonly EndpointRef[],
  now: Date,
  rules: AutohealRules,
): Promise<Map<string, Date>> {
  const windowStart = new Date(now.getTime() - rules.detection.recent_window_minutes * 60_000);
  const queries = refs.map((ref) => {
    const hours = effectiveLimits(rules, 'RECOVER_BACKLOG', ref.tenantId).max_backlog_age_hours ?? DEFAULT_MAX_BACKLOG_AGE_HOURS;
    return { ...ref, notBefore: new Date(now.getTime() - hours * 3_600_000) };
  });
  const found = queries.length > 0 ? await deliveries.outageStarts(queries) : new Map<string, Date>();
  const starts = new Map<string, Date>();
  for (const { tenantId, endpoint } of refs) {
    const key = endpointKey(tenantId, endpoint);
    const first = found.get(key);
    starts.set(key, first && first < windowStart ? first : windowStart);
  }
  return starts;
}
