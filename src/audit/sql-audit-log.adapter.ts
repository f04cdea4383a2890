import { DataSource, FindOptionsWhere, MoreThanOrEqual, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Clock } from '../clock/clock';
import { AuditEntry, AuditLog, AuditQuery, AuditRecord } from './audit-log.port';
import { OperatorAuditEntry } from './operator-audit.entity';

/** `operator_audit` in PostgreSQL; a trigger there refuses UPDATE and DELETE. */
export class SqlAuditLog extends AuditLog {
  private readonly repo: Repository<OperatorAuditEntry>;

  constructor(
    dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    super();
    this.repo = dataSource.getRepository(OperatorAuditEntry);
  }

  async record(entry: AuditRecord): Promise<void> {
    await this.repo.insert({
      at: entry.at ?? this.clock.now(),
      operatorId: entry.operator_id,
      action: entry.action,
      resourceType: entry.resource_type,
      resourceId: entry.resource_id ?? null,
      tenantId: entry.tenant_id ?? null,
      // TypeORM's deep-partial typing cannot see through `unknown`; the jsonb column takes any JSON.
      meta: (entry.meta ?? {}) as QueryDeepPartialEntity<Record<string, unknown>>,
    });
  }

  async query(query: AuditQuery): Promise<AuditEntry[]> {
    const where: FindOptionsWhere<OperatorAuditEntry> = {};
    if (query.action !== undefined) where.action = query.action;
    if (query.tenant_id !== undefined) where.tenantId = query.tenant_id;
    if (query.since !== undefined) where.at = MoreThanOrEqual(query.since);
    const rows = await this.repo.find({ where, order: { at: 'DESC', id: 'DESC' }, take: query.limit });
    return rows.map(toAuditEntry);
  }
}

function toAuditEntry(row: OperatorAuditEntry): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    operator_id: row.operatorId,
    action: row.action,
    resource_type: row.resourceType,
    resource_id: row.resourceId,
    tenant_id: row.tenantId,
    meta: row.meta,
  };
}
