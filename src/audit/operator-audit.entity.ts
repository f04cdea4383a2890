import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only (a trigger refuses UPDATE and DELETE): what a person or the machine did. */
@Entity('operator_audit')
export class OperatorAuditEntry {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('timestamptz')
  at: Date;

  @Column('text', { name: 'operator_id' })
  operatorId: string;

  @Column('text')
  action: string;

  @Column('text', { name: 'resource_type' })
  resourceType: string;

  @Column('text', { name: 'resource_id', nullable: true })
  resourceId: string | null;

  @Column('text', { name: 'tenant_id', nullable: true })
  tenantId: string | null;

  @Column('jsonb', { default: () => "'{}'::jsonb" })
  meta: Record<string, unknown>;
}
