import type { ActivityCount } from '../deliveries/delivery-store.port';

export interface ActivityBucket {
  at: string;
  failures: number;
  heals: number;
}

export interface EndpointActivity {
  tenant_id: string;
  endpoint: string;
  failures: number;
  heals: number;
  /** Every bucket of the window, oldest first, zeros included, so a chart needs no gaps filled. */
  buckets: ActivityBucket[];
}

export interface ActivityView {
  since: string;
  until: string;
  bucket_seconds: number;
  endpoints: EndpointActivity[];
}

/** The store's sparse counts as one dense series per tenant+endpoint, the busiest (failures + heals) first. */
export function activityView(counts: ActivityCount[], since: Date, until: Date, bucketSeconds: number): ActivityView {
  const bucketCount = Math.max(1, Math.ceil((until.getTime() - since.getTime()) / (bucketSeconds * 1000)));
  const byEndpoint = new Map<string, EndpointActivity>();
  for (const count of counts) {
    const key = JSON.stringify([count.tenant_id, count.endpoint]);
    let series = byEndpoint.get(key);
    if (!series) {
      const buckets = Array.from({ length: bucketCount }, (_, i) => ({
        at: new Date(since.getTime() + i * bucketSeconds * 1000).toISOString(),
        failures: 0,
        heals: 0,
      }));
      series = { tenant_id: count.tenant_id, endpoint: count.endpoint, failures: 0, heals: 0, buckets };
      byEndpoint.set(key, series);
    }
    const bucket = series.buckets[Math.min(bucketCount - 1, Math.max(0, count.bucket))];
    bucket.failures += count.failures;
    bucket.heals += count.heals;
    series.failures += count.failures;
    series.heals += count.heals;
  }
  const endpoints = [...byEndpoint.values()].sort((a, b) => b.failures + b.heals - (a.failures + a.heals));
  return { since: since.toISOString(), until: until.toISOString(), bucket_seconds: bucketSeconds, endpoints };
}
