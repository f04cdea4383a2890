import type { AuditEntry } from '../audit/audit-log.port';
import { endpointKey } from '../common/endpoint-key';
import { OUTCOME_AUDIT_ACTION, SEND_AUDIT_ACTION } from '../replay/replay-ledger.port';
import type { IncidentSummary, RecoveredAction } from './cycle-result';

export const RECOVERED_MESSAGE = 'Recovered from the audit trail: the cycle stopped before it recorded this action';

/**
 * What an interrupted cycle sent without recording it, from its audit trail (oldest first): the intent each claim
 * wrote, and the outcome its settle appended, if it got that far. One action per endpoint the cycle recorded no
 * action for: a cycle acts on an endpoint once, so an action it did record already lists that endpoint's sends.
 * The strategy is the one the intent names (a probe's is RECOVER_BACKLOG); an intent written before claims named
 * it counts as REPLAY_RECENT.
 */
export function recoveredActions(trail: AuditEntry[], recorded: Array<{ incident: Pick<IncidentSummary, 'tenant_id' | 'endpoint'> }>) {
  const recordedEndpoints = new Set(recorded.map(({ incident }) => endpointKey(incident.tenant_id, incident.endpoint)));
  const outcomes = new Map<unknown, unknown>();
  for (const entry of trail) if (entry.action === OUTCOME_AUDIT_ACTION) outcomes.set(entry.meta.attempt_id, entry.meta.outcome);

  const byEndpoint = new Map<string, RecoveredAction>();
  for (const { action, tenant_id: tenantId, resource_id: deliveryId, meta } of trail) {
    if (action !== SEND_AUDIT_ACTION || tenantId === null || deliveryId === null || typeof meta.target !== 'string') continue;
    const key = endpointKey(tenantId, meta.target);
    if (recordedEndpoints.has(key)) continue;
    const recovered = byEndpoint.get(key) ?? newRecoveredAction(tenantId, meta.target, meta.strategy === 'RECOVER_BACKLOG');
    byEndpoint.set(key, recovered);
    recovered.replayed.push(deliveryId);
    recovered.count = recovered.replayed.length;
    const outcome = outcomes.get(meta.attempt_id);
    (outcome === 'succeeded' ? recovered.delivered : outcome === 'failed' ? recovered.still_failing : recovered.unsettled).push(deliveryId);
  }
  return [...byEndpoint.values()];
}

function newRecoveredAction(tenantId: string, endpoint: string, probe: boolean): RecoveredAction {
  return {
    strategy: probe ? 'RECOVER_BACKLOG' : 'REPLAY_RECENT',
    probability: null,
    executed: true,
    incident: { tenant_id: tenantId, endpoint, severity: null, failures: null, kind: null },
    rationale: null,
    message: RECOVERED_MESSAGE,
    recovered_from: 'audit_trail',
    replayed: [],
    delivered: [],
    still_failing: [],
    unsettled: [],
    count: 0,
  };
}
