import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { DeferralsModule } from '../deferrals/deferrals.module';
import { EngineModule } from '../engine/engine.module';
import { AutohealScheduler } from './autoheal-scheduler.service';
import { ProbeLoop } from './probe-loop.service';

@Module({
  imports: [ScheduleModule.forRoot(), EngineModule, DeferralsModule],
  providers: [AutohealScheduler, ProbeLoop],
})
export class SchedulerModule {}
