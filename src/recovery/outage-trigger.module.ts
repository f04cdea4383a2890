import { Module } from '@nestjs/common';
import { AnomaliesModule } from '../anomalies/anomalies.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { OutageTrigger } from './outage-trigger.service';

@Module({
  imports: [AnomaliesModule, IncidentsModule],
  providers: [OutageTrigger],
  exports: [OutageTrigger],
})
export class OutageTriggerModule {}
