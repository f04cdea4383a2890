import { randomUUID } from 'node:crypto';
import { SEVERITIES } from '../rules/rules.types';
import { Escalation, EscalationStatus } from './escalation';
import { EscalationQuery, EscalationStore, OpenEscalation } from './escalation-store.port';

/** Escalations in process memory, with the SQL adapter's rules; for tests and what-if runs. */
export class MemoryEscalationStore extends EscalationStore {
  private readonly escalations = new Map<string, Escalation>();

  async open(input: OpenEscalation): Promise<{ escalation: Escalation; created: boolean }> {
    const { incident, now } = input;
    const existing = this.unresolved(incident.tenant_id, incident.endpoint);
    if (existing) {
      existing.occurrences++;
      if (now > existing.last_seen_at) existing.last_seen_at = new Date(now.getTime());
      existing.incident = structuredClone(incident);
      if (SEVERITIES.indexOf(input.priority) > SEVERITIES.indexOf(existing.priority)) existing.priority = input.priority;
      return { escalation: structuredClone(existing), created: false };
    }
    const escalation: Escalation = {
      id: randomUUID(),
      tenant_id: incident.tenant_id,
      endpoint: incident.endpoint,
      priority: input.priority,
      status: 'open',
      reason: input.reason,
      incident: structuredClone(incident),
      occurrences: 1,
      created_at: new Date(now.getTime()),
      last_seen_at: new Date(now.getTime()),
      notified_at: null,
      acknowledged_by: null,
      acknowledged_at: null,
      resolved_by: null,
      resolved_at: null,
    };
    this.escalations.set(escalation.id, escalation);
    return { escalation: structuredClone(escalation), created: true };
  }

  async acknowledgeIfOpen(id: string, by: string, now: Date): Promise<Escalation | null> {
    return this.update(id, ['open'], { status: 'acknowledged', acknowledged_by: by, acknowledged_at: new Date(now.getTime()) });
  }

  async resolveIfUnresolved(id: string, by: string, now: Date): Promise<Escalation | null> {
    return this.update(id, ['open', 'acknowledged'], { status: 'resolved', resolved_by: by, resolved_at: new Date(now.getTime()) });
  }

  async list(query: EscalationQuery): Promise<Escalation[]> {
    const rows = [...this.escalations.values()]
      .filter((e) => query.status === undefined || e.status === query.status)
      .filter((e) => query.tenantIds === undefined || query.tenantIds.includes(e.tenant_id))
      .sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, query.limit);
    return structuredClone(rows);
  }

  async findById(id: string): Promise<Escalation | null> {
    const found = this.escalations.get(id);
    return found ? structuredClone(found) : null;
  }

  async findUnresolved(tenantId: string, endpoint: string): Promise<Escalation | null> {
    const found = this.unresolved(tenantId, endpoint);
    return found ? structuredClone(found) : null;
  }

  async markNotified(id: string, now: Date): Promise<Escalation | null> {
    return this.update(id, ['open', 'acknowledged', 'resolved'], { notified_at: new Date(now.getTime()) });
  }

  private unresolved(tenantId: string, endpoint: string): Escalation | undefined {
    return [...this.escalations.values()].find((e) => e.tenant_id === tenantId && e.endpoint === endpoint && e.status !== 'resolved');
  }

  private update(id: string, from: EscalationStatus[], changes: Partial<Escalation>): Escalation | null {
    const found = this.escalations.get(id);
    if (!found || !from.includes(found.status)) return null;
    Object.assign(found, changes);
    return structuredClone(found);
  }
}
