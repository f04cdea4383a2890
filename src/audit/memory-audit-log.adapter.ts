import { randomUUID } from 'node:crypto';
import { Clock } from '../clock/clock';
import { AuditEntry, AuditLog, AuditQuery, AuditRecord } from './audit-log.port';

export class MemoryAuditLog extends AuditLog {
  private readonly entries: AuditEntry[] = [];

  constructor(private readonly clock: Clock) {
    super();
  }

  async record(entry: AuditRecord): Promise<void> {
    this.entries.push({
      id: randomUUID(),
      at: new Date((entry.at ?? this.clock.now()).getTime()),
      operator_id: entry.operator_id,
      action: entry.action,
      resource_type: entry.resource_type,
      resource_id: entry.resource_id ?? null,
      tenant_id: entry.tenant_id ?? null,
      // A copy, so a caller mutating its object later cannot rewrite history.
      meta: structuredClone(entry.meta ?? {}),
    });
  }

  async query(query: AuditQuery): Promise<AuditEntry[]> {
    return this.entries
      .map((entry, index) => ({ entry, index }))
      .filter(({ entry }) => query.action === undefined || entry.action === query.action)
      .filter(({ entry }) => query.tenant_id === undefined || entry.tenant_id === query.tenant_id)
      .filter(({ entry }) => query.tenant_ids === undefined || (entry.tenant_id !== null && query.tenant_ids.includes(entry.tenant_id)))
      .filter(({ entry }) => query.since === undefined || entry.at.getTime() >= query.since.getTime())
      .sort((a, b) => b.entry.at.getTime() - a.entry.at.getTime() || b.index - a.index)
      .slice(0, query.limit)
      .map(({ entry }) => structuredClone(entry));
  }

  async ofCycle(cycleId: string, since: Date): Promise<AuditEntry[]> {
    return this.entries
      .filter((entry) => entry.meta.cycle_id === cycleId && entry.at.getTime() >= since.getTime())
      .sort((a, b) => a.at.getTime() - b.at.getTime())
      .map((entry) => structuredClone(entry));
  }
}
