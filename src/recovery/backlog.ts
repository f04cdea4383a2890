import type { DeliveryStatus } from '../deliveries/delivery.constants';
import { FAILED_STATUSES } from '../deliveries/delivery.constants';
import type { DrainItem } from './drain-ports';

/** Which failed deliveries a drain or recovery sends: one tenant, optionally one endpoint, a time range. */
export interface BacklogFilter {
  tenantId: string;
  endpoint?: string;
  /** Inclusive, on created_at. */
  since: Date;
  /** Exclusive, on created_at. */
  until?: Date;
  /** Defaults to FAILED_STATUSES (failed and dead-lettered). */
  statuses?: DeliveryStatus[];
  /** Any label when absent. */
  triageLabels?: string[];
  /** Nothing created longer ago than this, whatever `since` says. */
  maxAgeHours?: number;
  /** A source hands out at most this many; the plan's total is capped the same way. */
  maxDeliveries?: number;
}

export const DEFAULT_BACKLOG_STATUSES: readonly DeliveryStatus[] = FAILED_STATUSES;

export interface BacklogDelivery extends DrainItem {
  tenantId: string;
  endpoint: string;
  createdAt: Date;
}

export interface EndpointBacklog {
  endpoint: string;
  count: number;
  oldestAt: Date;
  newestAt: Date;
}

export interface BacklogPlan {
  /** Oldest first. */
  perEndpoint: EndpointBacklog[];
  /** What a drain would send: the sum over endpoints, capped at `maxDeliveries`. */
  total: number;
}

/** The lower bound on created_at once `maxAgeHours` is applied. */
export function effectiveSince(filter: BacklogFilter, now: Date): Date {
  if (filter.maxAgeHours === undefined) return filter.since;
  const oldest = new Date(now.getTime() - filter.maxAgeHours * 3_600_000);
  return oldest > filter.since ? oldest : filter.since;
}

export function cappedTotal(perEndpoint: EndpointBacklog[], maxDeliveries?: number): number {
  const sum = perEndpoint.reduce((total, endpoint) => total + endpoint.count, 0);
  return maxDeliveries === undefined ? sum : Math.min(sum, maxDeliveries);
}
