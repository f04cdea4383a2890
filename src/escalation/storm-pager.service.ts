import { Injectable, Logger } from '@nestjs/common';
import type { Incident } from '../anomalies/incident';
import { EscalationService } from './escalation.service';
import { Notifier } from './notifier.port';

/** The tenant and endpoint a storm escalation is filed under: it belongs to no single one. */
export const STORM_TENANT = '*';
export const STORM_ENDPOINT = 'storm';

export interface Storm {
  endpoints: string[];
  activeEndpoints: number;
  reason: string;
  now: Date;
}

/**
 * Many endpoints in incident at once: one escalation and one page for all of them, instead of a page
 * each. The engine pages once per storm; escalations opened during it are covered by this page.
 */
@Injectable()
export class StormPager {
  private readonly logger = new Logger(StormPager.name);

  constructor(
    private readonly escalations: EscalationService,
    private readonly notifier: Notifier,
  ) {}

  async page(storm: Storm): Promise<{ escalation_id: string; notified: boolean }> {
    const opened = { incident: stormIncident(storm), priority: 'critical' as const, reason: storm.reason, now: storm.now };
    const { escalation } = await this.escalations.open(opened);
    const shown = storm.endpoints.slice(0, 10);
    const more = storm.endpoints.length - shown.length;
    try {
      await this.notifier.notify({
        title: `Auto-heal storm: ${storm.endpoints.length} endpoints in incident`,
        text:
          `${storm.reason}. Probes continue; drains are capped; individual pages are held back while it lasts. ` +
          `Endpoints: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`,
        severity: 'critical',
        escalation_id: escalation.id,
        fields: { endpoints_in_incident: String(storm.endpoints.length), active_endpoints: String(storm.activeEndpoints) },
      });
      await this.escalations.markNotified(escalation.id, storm.now);
      return { escalation_id: escalation.id, notified: true };
    } catch (error) {
      this.logger.error(`Storm page failed: ${error instanceof Error ? error.message : error}`);
      return { escalation_id: escalation.id, notified: false };
    }
  }
}

function stormIncident(storm: Storm): Incident {
  return {
    tenant_id: STORM_TENANT,
    endpoint: STORM_ENDPOINT,
    kind: 'failure_burst',
    severity: 'critical',
    failures: storm.endpoints.length,
    total_recent: 0,
    total_baseline: 0,
    failures_baseline: 0,
    failure_rate: 0,
    baseline_failure_rate: 0,
    traffic_ratio: 0,
    triage_distribution: {},
    most_common_error: null,
    detected_at: storm.now.toISOString(),
  };
}
