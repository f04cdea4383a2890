import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One healing cycle's result, in the guide's columns so its monitoring SQL runs as written. */
@Entity('autoheal_history')
export class AutohealHistoryEntry {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('timestamptz', { name: 'run_at' })
  runAt: Date;

  @Column('int', { name: 'incidents_detected' })
  incidentsDetected: number;

  @Column('jsonb', { name: 'actions_taken' })
  actionsTaken: unknown[];

  @Column('jsonb', { name: 'actions_skipped' })
  actionsSkipped: unknown[];

  @Column('double precision', { name: 'execution_time_ms' })
  executionTimeMs: number;

  @Column('boolean', { name: 'dry_run' })
  dryRun: boolean;
}
