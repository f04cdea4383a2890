import { Column, Entity, PrimaryColumn } from 'typeorm';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'dead_letter'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const FAILED_STATUSES: DeliveryStatus[] = ['failed', 'dead_letter'];

/** One webhook delivery as the dispatcher reported it (M1 labels failures on the way in). */
@Entity('deliveries')
export class Delivery {
  @PrimaryColumn('text')
  id: string;

  @Column('text', { name: 'tenant_id' })
  tenantId: string;

  @Column('text')
  target: string;

  @Column('text', { name: 'event_type', nullable: true })
  eventType: string | null;

  @Column('text')
  status: DeliveryStatus;

  @Column('int', { name: 'http_status', nullable: true })
  httpStatus: number | null;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('text', { name: 'triage_label', nullable: true })
  triageLabel: string | null;

  @Column('real', { name: 'triage_score', nullable: true })
  triageScore: number | null;

  @Column('int', { default: 0 })
  attempts: number;

  @Column('jsonb', { nullable: true })
  payload: unknown;

  @Column('jsonb', { nullable: true })
  headers: Record<string, string> | null;

  @Column('jsonb', { default: () => "'{}'::jsonb" })
  meta: Record<string, unknown>;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;

  @Column('timestamptz', { name: 'last_attempt_at', nullable: true })
  lastAttemptAt: Date | null;
}
