import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { DeferralsModule } from '../deferrals/deferrals.module';
import { EngineModule } from '../engine/engine.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { AutohealScheduler } from './autoheal-scheduler.service';
import { ProbeLoop } from './probe-loop.service';

@Module({
  imports: [ScheduleModule.forRoot(), EngineModule, DeferralsModule, IncidentsModule],
  providers: [AutohealScheduler, ProbeLoop],
})
export class SchedulerModule {}
