import { Injectable, Logger } from '@nestjs/common';
import { EscalationService } from '../escalation/escalation.service';
import type { IncidentPatch, IncidentRecord, IncidentState } from '../incidents/incident';
import { IncidentStore, NewIncidentEvent } from '../incidents/incident-store.port';
import { SYSTEM_ACTOR } from '../incidents/incident-lifecycle';

/**
 * The one way an incident becomes `recovered` (its drain delivered the backlog, a probe found it empty, or
 * the dispatcher delivered it meanwhile). The incident's page (an approval asked for, a storm of one, an
 * escalation of the same outage) is resolved with it: nobody should be woken for an outage that healed.
 */
@Injectable()
export class IncidentRecovery {
  private readonly logger = new Logger(IncidentRecovery.name);

  constructor(
    private readonly incidents: IncidentStore,
    private readonly escalations: EscalationService,
  ) {}

  /** Compare-and-set from `from`: null when the incident moved on meanwhile. */
  async markRecovered(
    record: IncidentRecord,
    from: readonly IncidentState[],
    patch: IncidentPatch,
    event: NewIncidentEvent,
  ): Promise<IncidentRecord | null> {
    const moved = await this.incidents.transition(record.id, from, 'recovered', patch, event);
    const page = moved?.escalation_id;
    if (!moved || !page) return moved;
    try {
      const escalation = await this.escalations.resolve(page, SYSTEM_ACTOR, event.at);
      if (escalation.resolved_by === SYSTEM_ACTOR) {
        const detail = { escalation_resolved: page, reason: 'the incident recovered' };
        await this.incidents.recordEvent(record.id, { type: 'note', at: event.at, actor: SYSTEM_ACTOR, cycleId: event.cycleId, detail });
      }
    } catch (error) {
      this.logger.warn(
        `Escalation ${page} of recovered incident ${record.id} not resolved: ${error instanceof Error ? error.message : error}`,
      );
    }
    return moved;
  }
}
