import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One healing cycle's result, in the guide's columns so its monitoring SQL runs as written. */
@Entity('autoheal_history')
export class AutohealHistoryEntry {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'cycle_id', unique: true })
  cycleId: string;

  @Column('timestamptz', { name: 'run_at' })
  runAt: Date;

  @Column('int', { name: 'incidents_detected' })
  incidentsDetected: number;

  /** NULL when the cycle took no action. */
  @Column('jsonb', { name: 'actions_taken', nullable: true })
  actionsTaken: unknown[] | null;

  @Column('jsonb', { name: 'actions_skipped' })
  actionsSkipped: unknown[];

  @Column('double precision', { name: 'execution_time_ms' })
  executionTimeMs: number;

  @Column('boolean', { name: 'dry_run' })
  dryRun: boolean;

  @Column('text', { default: 'completed' })
  status: 'running' | 'completed' | 'interrupted';

  @Column('timestamptz', { name: 'lease_expires_at', nullable: true })
  leaseExpiresAt: Date | null;
}
