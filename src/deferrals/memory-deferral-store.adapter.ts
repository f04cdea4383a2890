import { endpointKey } from '../common/endpoint-key';
import { Deferral, DeferralStore } from './deferral-store.port';

export class MemoryDeferralStore extends DeferralStore {
  private readonly rows = new Map<string, Deferral>();

  async active(): Promise<Map<string, Deferral>> {
    return new Map([...this.rows].filter(([, row]) => row.status === 'active').map(([key, row]) => [key, { ...row }]));
  }

  async record(tenantId: string, endpoint: string, now: Date, recheckAt: Date): Promise<Deferral> {
    const key = endpointKey(tenantId, endpoint);
    const current = this.rows.get(key);
    const continues = current?.status === 'active';
    const row: Deferral = {
      tenant_id: tenantId,
      endpoint,
      deferrals: continues ? current.deferrals + 1 : 1,
      first_deferred_at: continues ? current.first_deferred_at : new Date(now),
      last_deferred_at: new Date(now),
      recheck_at: new Date(recheckAt),
      notified_at: continues ? current.notified_at : null,
      status: 'active',
    };
    this.rows.set(key, row);
    return { ...row };
  }

  async markNotified(tenantId: string, endpoint: string, now: Date): Promise<void> {
    const row = this.rows.get(endpointKey(tenantId, endpoint));
    if (row) row.notified_at = new Date(now);
  }

  async close(tenantId: string, endpoint: string, status: 'cleared' | 'escalated'): Promise<void> {
    const row = this.rows.get(endpointKey(tenantId, endpoint));
    if (row?.status === 'active') row.status = status;
  }

  async postponeDue(now: Date, until: Date): Promise<void> {
    for (const row of this.rows.values()) {
      if (row.status === 'active' && row.recheck_at <= now) row.recheck_at = new Date(until);
    }
  }

  async nextRecheckAt(): Promise<Date | null> {
    const due = [...this.rows.values()].filter((row) => row.status === 'active').map((row) => row.recheck_at.getTime());
    return due.length > 0 ? new Date(Math.min(...due)) : null;
  }
}
