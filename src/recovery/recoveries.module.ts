import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock';
import { ControlsModule } from '../controls/controls.module';
import { MaintenanceModule } from '../maintenance/maintenance.module';
import { ReplayModule } from '../replay/replay.module';
import { BacklogReader } from './backlog-reader.port';
import { LedgerDrainSenderFactory } from './ledger-drain-sender';
import { RecoveriesController } from './recoveries.controller';
import { RecoveriesService } from './recoveries.service';
import { RecoveryModule } from './recovery.module';
import { RecoveryRunner } from './recovery-runner.service';
import { ThrottlesModule } from '../throttles/throttles.module';
import { RecoverySafety } from './recovery-safety.service';
import { RecoveryStore } from './recovery-store.port';
import { SqlBacklogReader } from './sql-backlog-reader.adapter';
import { SqlRecoveryStore } from './sql-recovery-store.adapter';

/**
 * Operator recoveries on top of the drain machinery (RecoveryModule): the API, the store and the
 * runner of `recovery` jobs. Recoveries and backlogs live in the database, so the SQL adapters are
 * the only choice; the memory ones are swapped in with overrideProvider.
 */
@Module({
  imports: [RecoveryModule, ReplayModule, ControlsModule, MaintenanceModule, ThrottlesModule],
  controllers: [RecoveriesController],
  providers: [
    {
      provide: RecoveryStore,
      inject: [DataSource],
      useFactory: (dataSource: DataSource): RecoveryStore => new SqlRecoveryStore(dataSource),
    },
    {
      provide: BacklogReader,
      inject: [DataSource, Clock],
      useFactory: (dataSource: DataSource, clock: Clock): BacklogReader => new SqlBacklogReader(dataSource, clock),
    },
    LedgerDrainSenderFactory,
    RecoverySafety,
    RecoveryRunner,
    RecoveriesService,
  ],
  exports: [BacklogReader, LedgerDrainSenderFactory, RecoverySafety],
})
export class RecoveriesModule {}
