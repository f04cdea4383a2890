import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock';
import { ClockModule } from '../clock/clock.module';
import { AnomaliesModule } from '../anomalies/anomalies.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { OutageTrigger } from '../recovery/outage-trigger.service';
import { ReplayModule } from '../replay/replay.module';
import { ThrottlesModule } from '../throttles/throttles.module';
import { DeliveriesController } from './deliveries.controller';
import { DeliveryStore } from './delivery-store.port';
import { EndpointOwnership } from './endpoint-ownership.service';
import { SqlDeliveryStore } from './sql-delivery-store.adapter';

@Module({
  // OutageTrigger lives here: it reads the deliveries it was given (where an outage began).
  imports: [ClockModule, ReplayModule, AnomaliesModule, IncidentsModule, ThrottlesModule],
  controllers: [DeliveriesController],
  providers: [
    {
      provide: DeliveryStore,
      inject: [DataSource, Clock],
      useFactory: (dataSource: DataSource, clock: Clock) => new SqlDeliveryStore(dataSource, clock),
    },
    EndpointOwnership,
    OutageTrigger,
  ],
  exports: [DeliveryStore, EndpointOwnership],
})
export class DeliveriesModule {}
