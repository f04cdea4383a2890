import { HttpStatus, Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { DomainError, NotFoundError } from '../common/domain-error';
import { ReplayLedger } from './replay-ledger.port';
import { Replayer } from './replayer.port';
import { sendClaimed } from './send-claimed';

export interface ResendView {
  delivery_id: string;
  tenant_id: string;
  outcome: 'delivered' | 'failed';
  http_status: number | null;
  error: string | null;
  /** After this send. */
  attempts: number;
  attempt_id: string;
}

/** Claimed and settled like every replay. */
@Injectable()
export class OperatorResend {
  constructor(
    private readonly ledger: ReplayLedger,
    private readonly replayer: Replayer,
    private readonly clock: Clock,
  ) {}

  async resend(deliveryId: string, actor: string): Promise<ResendView> {
    const result = await this.ledger.claimForResend(deliveryId, { actor, now: this.clock.now() });
    if ('refused' in result) {
      if (result.refused === 'unknown') throw new NotFoundError('Delivery', deliveryId);
      if (result.refused === 'in_flight') {
        const message = `delivery ${deliveryId} is being sent right now; try again once that send has settled`;
        throw new DomainError('replay_in_flight', message, HttpStatus.CONFLICT);
      }
      const message = `delivery ${deliveryId} is ${result.status}: only failed or dead-lettered deliveries are re-sent`;
      throw new DomainError('not_replayable', message, HttpStatus.CONFLICT);
    }
    const { claim } = result;
    // The replayer applies the target guard itself: a refused target is settled as a failed attempt, never sent.
    const sent = await sendClaimed(claim, this.replayer, this.ledger, this.clock);
    return {
      delivery_id: deliveryId,
      tenant_id: claim.tenantId,
      outcome: sent.result.ok ? 'delivered' : 'failed',
      http_status: sent.result.httpStatus,
      error: sent.result.error,
      attempts: sent.settlement?.attempts ?? claim.attemptNumber + 1,
      attempt_id: claim.attemptId,
    };
  }
}
