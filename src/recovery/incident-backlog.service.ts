import { Injectable } from '@nestjs/common';
import { AUTOHEAL_OPERATOR } from '../engine/executors/autoheal-audit';
import { ReplayLedger } from '../replay/replay-ledger.port';
import type { IncidentRecord } from '../incidents/incident';
import type { EffectiveLimits } from '../rules/effective-limits';
import { BacklogFilter } from './backlog';
import { BacklogReader } from './backlog-reader.port';
import type { DrainSendResult } from './drain-ports';
import { LedgerDrainSenderFactory } from './ledger-drain-sender';

type IncidentScope = Pick<IncidentRecord, 'tenant_id' | 'endpoint' | 'first_failure_at'>;

/** RECOVER_BACKLOG's limits as a backlog: the incident's failures since its first, allowed labels only, bounded by age and count. */
export function incidentBacklogFilter(incident: IncidentScope, limits: EffectiveLimits): BacklogFilter {
  return {
    tenantId: incident.tenant_id,
    endpoint: incident.endpoint,
    since: new Date(incident.first_failure_at),
    ...(limits.allowed_triage_labels && { triageLabels: [...limits.allowed_triage_labels] }),
    ...(limits.max_backlog_age_hours !== undefined && { maxAgeHours: limits.max_backlog_age_hours }),
    ...(limits.max_backlog_deliveries !== undefined && { maxDeliveries: limits.max_backlog_deliveries }),
  };
}

export interface BacklogSummary {
  count: number;
  oldest_at: string | null;
}

export interface ProbeRun {
  /** Recorded on the attempt as its cycle. */
  runId: string;
  /** The claim's staleness bound. */
  startedAt: Date;
  /** How long the endpoint's healing lease is held for the probe. */
  leaseMs: number;
  audit: boolean;
}

export type ProbeOutcome =
  | { outcome: 'empty' }
  | { outcome: 'leased'; reason: string }
  | { outcome: 'delivered' | 'failed' | 'skipped'; delivery_id: string; http_status?: number; reason?: string; retry_after_ms?: number };

/**
 * What RECOVER_BACKLOG sends, read the same way by a probe, a plan and a drain: one real failed
 * delivery of the backlog (the oldest still claimable) as a canary, through the ledger like every replay.
 */
@Injectable()
export class IncidentBacklog {
  constructor(
    private readonly reader: BacklogReader,
    private readonly senders: LedgerDrainSenderFactory,
    private readonly ledger: ReplayLedger,
  ) {}

  async summary(incident: IncidentScope, limits: EffectiveLimits): Promise<BacklogSummary> {
    const plan = await this.reader.plan(incidentBacklogFilter(incident, limits));
    const oldest = plan.perEndpoint[0]?.oldestAt;
    return { count: plan.total, oldest_at: oldest ? oldest.toISOString() : null };
  }

  /** Under the endpoint's healing lease, like every replay: refused while another cycle or a drain holds it. */
  async probe(incident: IncidentScope, limits: EffectiveLimits, run: ProbeRun): Promise<ProbeOutcome> {
    const [oldest] = await this.reader.source(incidentBacklogFilter(incident, limits)).next(1);
    if (!oldest) return { outcome: 'empty' };
    const lease = await this.ledger.acquireEndpointLease(incident.tenant_id, incident.endpoint, `probe:${run.runId}`, run.leaseMs);
    if (!lease) return { outcome: 'leased', reason: "another cycle or a drain holds the endpoint's healing lease" };
    try {
      const { runId, startedAt, audit } = run;
      const sender = this.senders.create({ actor: AUTOHEAL_OPERATOR, runId, startedAt, lease, audit, strategy: 'RECOVER_BACKLOG' });
      const result: DrainSendResult = await sender.send(oldest);
      return {
        outcome: result.outcome,
        delivery_id: oldest.id,
        ...(result.httpStatus !== undefined && { http_status: result.httpStatus }),
        ...(result.reason !== undefined && { reason: result.reason }),
        ...(result.retryAfterMs !== undefined && { retry_after_ms: result.retryAfterMs }),
      };
    } finally {
      await this.ledger.releaseEndpointLease(lease).catch(() => undefined);
    }
  }
}
