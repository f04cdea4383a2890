import { HttpStatus, Injectable } from '@nestjs/common';
import { DomainError, NotFoundError } from '../common/domain-error';
import { Escalation } from './escalation';
import { EscalationQuery, EscalationStore, OpenEscalation } from './escalation-store.port';

/** Operator incidents: the transitions and the errors an operator sees, over the store. */
@Injectable()
export class EscalationService {
  constructor(private readonly store: EscalationStore) {}

  /** Opens an escalation, or bumps the unresolved one for the same tenant+endpoint. */
  open(input: OpenEscalation): Promise<{ escalation: Escalation; created: boolean }> {
    return this.store.open(input);
  }

  /** open → acknowledged; acknowledging twice returns it unchanged; a resolved one is a 409. */
  async acknowledge(id: string, by: string, now: Date): Promise<Escalation> {
    const updated = await this.store.acknowledgeIfOpen(id, by, now);
    if (updated) return updated;
    const current = await this.get(id);
    if (current.status === 'resolved') {
      throw new DomainError(
        'escalation_resolved',
        `Escalation ${id} was ` +
          `resolved${current.resolved_by ? ` by ${current.resolved_by}` : ''}; a resolved escalation cannot be acknowledged`,
        HttpStatus.CONFLICT,
      );
    }
    return current;
  }

  /** open or acknowledged → resolved; resolving a resolved one returns it unchanged. */
  async resolve(id: string, by: string, now: Date): Promise<Escalation> {
    return (await this.store.resolveIfUnresolved(id, by, now)) ?? this.get(id);
  }

  list(query: EscalationQuery): Promise<Escalation[]> {
    return this.store.list(query);
  }

  find(id: string): Promise<Escalation | null> {
    return this.store.findById(id);
  }

  async get(id: string): Promise<Escalation> {
    const found = await this.store.findById(id);
    if (!found) throw new NotFoundError('Escalation', id);
    return found;
  }

  findUnresolved(tenantId: string, endpoint: string): Promise<Escalation | null> {
    return this.store.findUnresolved(tenantId, endpoint);
  }

  async markNotified(id: string, now: Date): Promise<Escalation> {
    const found = await this.store.markNotified(id, now);
    if (!found) throw new NotFoundError('Escalation', id);
    return found;
  }
}
