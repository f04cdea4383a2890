import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CycleHistoryController } from './cycle-history.controller';
import { CycleHistoryStore } from './cycle-history-store.port';
import { SqlCycleHistoryStore } from './sql-cycle-history-store.adapter';

@Module({
  controllers: [CycleHistoryController],
  providers: [
    { provide: CycleHistoryStore, inject: [DataSource], useFactory: (dataSource: DataSource) => new SqlCycleHistoryStore(dataSource) },
  ],
  exports: [CycleHistoryStore],
})
export class CycleHistoryModule {}
