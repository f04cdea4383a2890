import { DataSource } from 'typeorm';
import { TenantThrottle, ThrottleRecord, ThrottleRecordStore } from './throttle-record-store.port';

const COLUMNS = `id, tenant_id, factor::float8 AS factor, until, reason, set_by, created_at, incident_id, lifted_at, lifted_by`;

const LIFT = `
  UPDATE tenant_throttles SET lifted_at = $3, lifted_by = $2
   WHERE tenant_id = $1 AND lifted_at IS NULL AND until > $3
  RETURNING id`;

const INSERT = `
  INSERT INTO tenant_throttles (tenant_id, factor, until, reason, set_by, created_at, incident_id)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  RETURNING ${COLUMNS}`;

const ACTIVE = `
  SELECT ${COLUMNS}
    FROM tenant_throttles
   WHERE lifted_at IS NULL AND until > $1 AND ($2::text[] IS NULL OR tenant_id = ANY($2::text[]))
   ORDER BY until, tenant_id`;

export class SqlThrottleRecordStore extends ThrottleRecordStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async record(t: TenantThrottle): Promise<ThrottleRecord> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(LIFT, [t.tenant_id, 'superseded', t.created_at]);
      const [row] = (await tx.query(INSERT, [t.tenant_id, t.factor, t.until, t.reason, t.set_by, t.created_at, t.incident_id])) as [
        ThrottleRecord,
      ];
      return row;
    });
  }

  async lift(tenantId: string, by: string, at: Date): Promise<boolean> {
    const [rows] = (await this.dataSource.query(LIFT, [tenantId, by, at])) as [unknown[], number];
    return rows.length > 0;
  }

  async active(now: Date, tenants?: readonly string[]): Promise<ThrottleRecord[]> {
    return this.dataSource.query(ACTIVE, [now, tenants ? [...tenants] : null]);
  }
}
