import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock';
import { AuditEntry, AuditLog, AuditQuery, AuditRecord } from './audit-log.port';

const INSERT = `INSERT INTO operator_audit (at, operator_id, action, resource_type, resource_id, tenant_id, meta)
  VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`;
const COLUMNS = `id, at, operator_id, action, resource_type, resource_id, tenant_id, meta`;
// The range on `at` is what an index serves; the cycle id is then read from the rows written since.
const OF_CYCLE = `SELECT ${COLUMNS} FROM operator_audit WHERE at >= $2 AND meta->>'cycle_id' = $1 ORDER BY at, id`;

/** A trigger on `operator_audit` refuses UPDATE and DELETE. */
export class SqlAuditLog extends AuditLog {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    super();
  }

  async record(entry: AuditRecord): Promise<void> {
    await this.dataSource.query(INSERT, [
      entry.at ?? this.clock.now(),
      entry.operator_id,
      entry.action,
      entry.resource_type,
      entry.resource_id ?? null,
      entry.tenant_id ?? null,
      JSON.stringify(entry.meta ?? {}),
    ]);
  }

  async query(query: AuditQuery): Promise<AuditEntry[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const where = (condition: string, value: unknown) => {
      params.push(value);
      conditions.push(`${condition}($${params.length})`);
    };
    if (query.action !== undefined) where('action =', query.action);
    if (query.tenant_id !== undefined) where('tenant_id =', query.tenant_id);
    if (query.tenant_ids !== undefined) where('tenant_id = ANY', [...query.tenant_ids]);
    if (query.since !== undefined) where('at >=', query.since);
    params.push(query.limit);
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM operator_audit ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
  }

  async ofCycle(cycleId: string, since: Date): Promise<AuditEntry[]> {
    return this.dataSource.query(OF_CYCLE, [cycleId, since]);
  }
}
