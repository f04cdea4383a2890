import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SqlThrottleRecordStore } from './sql-throttle-record-store.adapter';
import { TenantThrottles } from './tenant-throttles.service';
import { ThrottleRecordStore } from './throttle-record-store.port';
import { ThrottlesController } from './throttles.controller';

@Module({
  controllers: [ThrottlesController],
  providers: [
    { provide: ThrottleRecordStore, inject: [DataSource], useFactory: (dataSource: DataSource) => new SqlThrottleRecordStore(dataSource) },
    TenantThrottles,
  ],
  exports: [TenantThrottles],
})
export class ThrottlesModule {}
