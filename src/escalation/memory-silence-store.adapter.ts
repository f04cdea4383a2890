import { randomUUID } from 'node:crypto';
import { isActive, NewSilence, Occurrence, Silence, SilenceQuery, SilenceStore } from './silence-store.port';

export class MemorySilenceStore extends SilenceStore {
  private readonly silences: Silence[] = [];
  private readonly lastCounted = new Map<string, Map<string, number>>();

  async create(s: NewSilence): Promise<Silence> {
    const silence: Silence = {
      id: randomUUID(),
      signature: s.signature,
      tenant_id: s.tenantId,
      created_at: new Date(s.now),
      ends_at: new Date(s.now.getTime() + s.durationMinutes * 60_000),
      dedup_window_seconds: s.dedupWindowSeconds,
      max_occurrences: s.maxOccurrences,
      occurrences: 0,
      suppressed: 0,
      escalated_at: null,
      created_by: s.createdBy,
      comment: s.comment,
      incident_id: s.incidentId,
      expired_at: null,
      expired_by: null,
    };
    this.silences.push(silence);
    return { ...silence };
  }

  async get(id: string): Promise<Silence | null> {
    const found = this.silences.find((s) => s.id === id);
    return found ? { ...found } : null;
  }

  async list(query: SilenceQuery): Promise<Silence[]> {
    return this.silences
      .filter((s) => !query.tenants || query.tenants.includes(s.tenant_id))
      .filter((s) => !query.status || (query.status === 'active') === isActive(s, query.now))
      .sort((a, b) => b.created_at.getTime() - a.created_at.getTime())
      .slice(0, query.limit)
      .map((s) => ({ ...s }));
  }

  async match(tenantId: string, signature: string, now: Date): Promise<Silence | null> {
    const [found] = (await this.list({ now, status: 'active', tenants: [tenantId], limit: 1000 })).filter((s) => s.signature === signature);
    return found ?? null;
  }

  async countOccurrence(id: string, source: string, now: Date): Promise<Occurrence | null> {
    const silence = this.silences.find((s) => s.id === id);
    if (!silence || !isActive(silence, now)) return null;
    const seen = this.lastCounted.get(id) ?? new Map<string, number>();
    this.lastCounted.set(id, seen);
    const last = seen.get(source);
    const counted = last === undefined || now.getTime() - last >= silence.dedup_window_seconds * 1000;
    if (counted) {
      seen.set(source, now.getTime());
      silence.occurrences += 1;
    }
    const escalate = silence.escalated_at === null && silence.occurrences >= silence.max_occurrences;
    if (escalate) silence.escalated_at = new Date(now);
    else silence.suppressed += 1;
    return { silence: { ...silence }, counted, escalate };
  }

  async expire(id: string, by: string, now: Date): Promise<boolean> {
    const silence = this.silences.find((s) => s.id === id);
    if (!silence || !isActive(silence, now)) return false;
    Object.assign(silence, { expired_at: new Date(now), expired_by: by });
    return true;
  }
}
