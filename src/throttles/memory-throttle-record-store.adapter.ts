import { randomUUID } from 'node:crypto';
import { TenantThrottle, ThrottleRecord, ThrottleRecordStore } from './throttle-record-store.port';

export class MemoryThrottleRecordStore extends ThrottleRecordStore {
  private readonly rows: ThrottleRecord[] = [];

  async record(throttle: TenantThrottle): Promise<ThrottleRecord> {
    await this.lift(throttle.tenant_id, 'superseded', throttle.created_at);
    const row: ThrottleRecord = { ...throttle, id: randomUUID(), lifted_at: null, lifted_by: null };
    this.rows.push(row);
    return { ...row };
  }

  async lift(tenantId: string, by: string, at: Date): Promise<boolean> {
    const active = this.rows.filter((r) => r.tenant_id === tenantId && r.lifted_at === null && r.until > at);
    for (const row of active) Object.assign(row, { lifted_at: at, lifted_by: by });
    return active.length > 0;
  }

  async active(now: Date, tenants?: readonly string[]): Promise<ThrottleRecord[]> {
    return this.rows
      .filter((r) => r.lifted_at === null && r.until > now && (!tenants || tenants.includes(r.tenant_id)))
      .sort((a, b) => a.until.getTime() - b.until.getTime() || a.tenant_id.localeCompare(b.tenant_id))
      .map((r) => ({ ...r }));
  }
}
