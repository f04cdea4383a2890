import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock';
import { ControlsModule } from '../controls/controls.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { MaintenanceModule } from '../maintenance/maintenance.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ReplayModule } from '../replay/replay.module';
import { BacklogReader } from './backlog-reader.port';
import { IncidentBacklog } from './incident-backlog.service';
import { IncidentDrainRunner } from './incident-drain-runner.service';
import { LedgerDrainSenderFactory } from './ledger-drain-sender';
import { RecoveryModule } from './recovery.module';
import { RecoverySafety } from './recovery-safety.service';
import { SqlBacklogReader } from './sql-backlog-reader.adapter';

/**
 * Healing incidents on the drain machinery: the backlog probes and plans read (IncidentBacklog) and
 * the runner of `incident` drain jobs. The engine's RECOVER_BACKLOG executor uses both.
 */
@Module({
  imports: [RecoveryModule, ReplayModule, IncidentsModule, ControlsModule, MaintenanceModule, MetricsModule],
  providers: [
    {
      provide: BacklogReader,
      inject: [DataSource, Clock],
      useFactory: (dataSource: DataSource, clock: Clock): BacklogReader => new SqlBacklogReader(dataSource, clock),
    },
    LedgerDrainSenderFactory,
    RecoverySafety,
    IncidentBacklog,
    IncidentDrainRunner,
  ],
  exports: [IncidentBacklog, RecoveryModule],
})
export class IncidentHealingModule {}
