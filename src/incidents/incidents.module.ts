import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApprovalsController } from './approvals.controller';
import { IncidentStore } from './incident-store.port';
import { IncidentsController } from './incidents.controller';
import { SqlIncidentStore } from './sql-incident-store.adapter';

/** Always the database (embedded or not); MemoryIncidentStore is swapped in with overrideProvider(IncidentStore). */
@Module({
  controllers: [IncidentsController, ApprovalsController],
  providers: [
    {
      provide: IncidentStore,
      inject: [DataSource],
      useFactory: (dataSource: DataSource): IncidentStore => new SqlIncidentStore(dataSource),
    },
  ],
  exports: [IncidentStore],
})
export class IncidentsModule {}
