import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ATTEMPT_OUTCOMES = ['pending', 'succeeded', 'failed', 'abandoned'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/**
 * One send or re-send of a delivery. A replay is written as `pending` *before* the request
 * leaves (its unique `replay_key` is the claim), then settled; a crash leaves it visible.
 */
@Entity('delivery_attempts')
export class DeliveryAttempt {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column('text', { name: 'delivery_id' })
  deliveryId: string;

  @Column('timestamptz', { name: 'attempted_at' })
  attemptedAt: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;

  @Column('int', { name: 'http_status', nullable: true })
  httpStatus: number | null;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('int', { name: 'duration_ms', nullable: true })
  durationMs: number | null;

  /** What caused it: `dispatcher`, `autoheal`, or `operator`. */
  @Column('text')
  source: string;

  /** Who: the dispatcher, `system:autoheal`, or the operator's token subject. */
  @Column('text')
  actor: string;

  @Column('text')
  outcome: AttemptOutcome;

  @Column('text', { name: 'replay_key', nullable: true, unique: true })
  replayKey: string | null;

  @Column('uuid', { name: 'cycle_id', nullable: true })
  cycleId: string | null;
}
