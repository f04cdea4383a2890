import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { MaintenanceController } from './maintenance.controller';
import { MaintenanceStore } from './maintenance-store.port';
import { SqlMaintenanceStore } from './sql-maintenance-store.adapter';

@Module({
  imports: [DeliveriesModule],
  controllers: [MaintenanceController],
  providers: [
    { provide: MaintenanceStore, inject: [DataSource], useFactory: (dataSource: DataSource) => new SqlMaintenanceStore(dataSource) },
  ],
  exports: [MaintenanceStore],
})
export class MaintenanceModule {}
