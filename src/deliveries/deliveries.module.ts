import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock';
import { ClockModule } from '../clock/clock.module';
import { OutageTriggerModule } from '../recovery/outage-trigger.module';
import { ReplayModule } from '../replay/replay.module';
import { ThrottlesModule } from '../throttles/throttles.module';
import { DeliveriesController } from './deliveries.controller';
import { DeliveryStore } from './delivery-store.port';
import { EndpointOwnership } from './endpoint-ownership.service';
import { SqlDeliveryStore } from './sql-delivery-store.adapter';

@Module({
  imports: [ClockModule, ReplayModule, OutageTriggerModule, ThrottlesModule],
  controllers: [DeliveriesController],
  providers: [
    {
      provide: DeliveryStore,
      inject: [DataSource, Clock],
      useFactory: (dataSource: DataSource, clock: Clock) => new SqlDeliveryStore(dataSource, clock),
    },
    EndpointOwnership,
  ],
  exports: [DeliveryStore, EndpointOwnership],
})
export class DeliveriesModule {}
