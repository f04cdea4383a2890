import { randomUUID } from 'node:crypto';
import type { NewRecovery, RecoveryCounts, RecoveryQuery, RecoveryRecord, RecoveryState } from './recovery';
import { UNFINISHED_RECOVERY_STATES } from './recovery';
import { RecoveryStore } from './recovery-store.port';

/** Recoveries in process memory, with the SQL adapter's transitions. */
export class MemoryRecoveryStore extends RecoveryStore {
  private readonly recoveries = new Map<string, RecoveryRecord>();

  async create(recovery: NewRecovery, now: Date): Promise<RecoveryRecord> {
    const record: RecoveryRecord = {
      id: randomUUID(),
      tenant_id: recovery.tenantId,
      endpoint: recovery.endpoint,
      since: new Date(recovery.since.getTime()),
      until: recovery.until ? new Date(recovery.until.getTime()) : null,
      statuses: [...recovery.statuses],
      triage_labels: recovery.triageLabels ? [...recovery.triageLabels] : null,
      state: 'queued',
      total: recovery.total,
      sent: 0,
      delivered: 0,
      failed: 0,
      skipped: 0,
      remaining: recovery.total,
      paused_reason: null,
      created_by: recovery.createdBy,
      created_at: new Date(now.getTime()),
      updated_at: new Date(now.getTime()),
      started_at: null,
      finished_at: null,
      cancelled_by: null,
      error: null,
    };
    this.recoveries.set(record.id, record);
    return structuredClone(record);
  }

  async get(id: string): Promise<RecoveryRecord | null> {
    const found = this.recoveries.get(id);
    return found ? structuredClone(found) : null;
  }

  async list(query: RecoveryQuery): Promise<RecoveryRecord[]> {
    return [...this.recoveries.values()]
      .filter((r) => query.tenantId === undefined || r.tenant_id === query.tenantId)
      .filter((r) => query.state === undefined || r.state === query.state)
      .filter((r) => query.tenantIds === undefined || query.tenantIds.includes(r.tenant_id))
      .sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || (a.id < b.id ? 1 : -1))
      .slice(0, query.limit)
      .map((r) => structuredClone(r));
  }

  async start(id: string, now: Date): Promise<RecoveryRecord | null> {
    return this.change(id, UNFINISHED_RECOVERY_STATES, now, (r) => ({
      state: 'running',
      started_at: r.started_at ?? new Date(now.getTime()),
    }));
  }

  async progress(id: string, counts: RecoveryCounts, pausedReason: string | null, now: Date): Promise<RecoveryRecord | null> {
    return this.change(id, ['running', 'cancelled'], now, (r) => ({
      ...counts,
      remaining: Math.max(0, r.total - counts.sent - counts.skipped),
      paused_reason: r.state === 'running' ? pausedReason : null,
    }));
  }

  async finish(id: string, outcome: 'completed' | 'failed', error: string | null, now: Date): Promise<RecoveryRecord | null> {
    return this.change(id, ['running'], now, (r) => ({
      state: outcome,
      error,
      paused_reason: null,
      finished_at: new Date(now.getTime()),
      remaining: outcome === 'completed' ? 0 : r.remaining,
    }));
  }

  async cancel(id: string, by: string, now: Date): Promise<RecoveryRecord | null> {
    return this.change(id, UNFINISHED_RECOVERY_STATES, now, () => ({
      state: 'cancelled',
      cancelled_by: by,
      paused_reason: null,
      finished_at: new Date(now.getTime()),
    }));
  }

  async unfinished(): Promise<RecoveryRecord[]> {
    return [...this.recoveries.values()]
      .filter((r) => UNFINISHED_RECOVERY_STATES.includes(r.state))
      .sort((a, b) => a.created_at.getTime() - b.created_at.getTime())
      .map((r) => structuredClone(r));
  }

  private change(
    id: string,
    from: readonly RecoveryState[],
    now: Date,
    fields: (current: RecoveryRecord) => Partial<RecoveryRecord>,
  ): RecoveryRecord | null {
    const current = this.recoveries.get(id);
    if (!current || !from.includes(current.state)) return null;
    Object.assign(current, fields(current), { updated_at: new Date(now.getTime()) });
    return structuredClone(current);
  }
}
