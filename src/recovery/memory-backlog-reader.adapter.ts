import { Clock } from '../clock/clock';
import type { DeliveryStore, RecentFailure } from '../deliveries/delivery-store.port';
import type { BacklogDelivery, BacklogFilter, BacklogPlan, EndpointBacklog } from './backlog';
import { cappedTotal, DEFAULT_BACKLOG_STATUSES, effectiveSince } from './backlog';
import { BacklogReader } from './backlog-reader.port';
import { BacklogSource } from './drain-ports';

const EVERYTHING = Number.MAX_SAFE_INTEGER;

const oldestFirst = (a: RecentFailure, b: RecentFailure) =>
  a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The backlog read through any DeliveryStore (a MemoryDeliveryStore, say): its `recentFailures`
 * already leaves claimed deliveries out. Reads the whole tenant per page, so for tests and what-if runs.
 */
export class MemoryBacklogReader extends BacklogReader {
  constructor(
    private readonly deliveries: Pick<DeliveryStore, 'list' | 'recentFailures'>,
    private readonly clock: Clock,
  ) {
    super();
  }

  source(filter: BacklogFilter): BacklogSource<BacklogDelivery> {
    const read = () => this.matching(filter);
    let cursor: RecentFailure | null = null;
    let handedOut = 0;
    return new (class extends BacklogSource<BacklogDelivery> {
      async next(limit: number): Promise<BacklogDelivery[]> {
        const room = Math.min(limit, (filter.maxDeliveries ?? EVERYTHING) - handedOut);
        if (room <= 0) return [];
        const page = (await read()).filter((d) => !cursor || oldestFirst(d, cursor) > 0).slice(0, room);
        cursor = page.at(-1) ?? cursor;
        handedOut += page.length;
        return page.map((d) => ({ id: d.id, tenantId: d.tenant_id, endpoint: d.target, createdAt: new Date(d.created_at.getTime()) }));
      }
    })();
  }

  async plan(filter: BacklogFilter): Promise<BacklogPlan> {
    const byEndpoint = new Map<string, EndpointBacklog>();
    for (const d of await this.matching(filter)) {
      const seen = byEndpoint.get(d.target);
      if (seen) {
        seen.count++;
        seen.newestAt = d.created_at;
      } else {
        byEndpoint.set(d.target, { endpoint: d.target, count: 1, oldestAt: d.created_at, newestAt: d.created_at });
      }
    }
    const perEndpoint = [...byEndpoint.values()];
    return { perEndpoint, total: cappedTotal(perEndpoint, filter.maxDeliveries) };
  }

  /** Oldest first. */
  private async matching(filter: BacklogFilter): Promise<RecentFailure[]> {
    const since = effectiveSince(filter, this.clock.now());
    const endpoints = filter.endpoint
      ? [filter.endpoint]
      : [...new Set((await this.deliveries.list({ tenant_id: filter.tenantId, since, limit: EVERYTHING })).map((d) => d.target))];
    const statuses: readonly string[] = filter.statuses ?? DEFAULT_BACKLOG_STATUSES;
    const found: RecentFailure[] = [];
    for (const endpoint of endpoints) {
      const failures = await this.deliveries.recentFailures({ tenantId: filter.tenantId, endpoint, since, limit: EVERYTHING });
      found.push(
        ...failures.filter(
          (d) =>
            (!filter.until || d.created_at < filter.until) &&
            statuses.includes(d.status) &&
            (!filter.triageLabels || (d.triage_label !== null && filter.triageLabels.includes(d.triage_label))),
        ),
      );
    }
    return found.sort(oldestFirst);
  }
}
