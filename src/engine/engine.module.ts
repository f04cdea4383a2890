import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AnomaliesModule } from '../anomalies/anomalies.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { EscalationModule } from '../escalation/escalation.module';
import { InsightsModule } from '../insights/insights.module';
import { ReplayModule } from '../replay/replay.module';
import { AutohealController } from './autoheal.controller';
import { AutohealEngine } from './autoheal-engine.service';
import { AutohealHistory } from './autoheal-history.service';
import { AutohealMetrics } from './autoheal-metrics';
import { AutohealScheduler } from './autoheal.scheduler';
import { DeferExecutor } from './executors/defer.executor';
import { EscalateExecutor } from './executors/escalate.executor';
import { ReplayExecutor } from './executors/replay.executor';
import { StrategyExecutorRegistry } from './executors/strategy-executor';
import { MaintenanceController } from './maintenance.controller';
import { MetricsController } from './metrics.controller';
import { ControlsStore } from './state/controls.store';
import { DeferralStore } from './state/deferral.store';
import { MaintenanceStore } from './state/maintenance.store';

/** A new strategy is one executor class, added here. */
const EXECUTORS = [ReplayExecutor, EscalateExecutor, DeferExecutor];

@Module({
  imports: [ScheduleModule.forRoot(), AnomaliesModule, DeliveriesModule, InsightsModule, ReplayModule, EscalationModule],
  controllers: [AutohealController, MaintenanceController, MetricsController],
  providers: [
    ...EXECUTORS,
    {
      provide: StrategyExecutorRegistry,
      inject: EXECUTORS,
      useFactory: (...executors: InstanceType<(typeof EXECUTORS)[number]>[]) => new StrategyExecutorRegistry(executors),
    },
    AutohealEngine,
    AutohealHistory,
    AutohealMetrics,
    AutohealScheduler,
    ControlsStore,
    DeferralStore,
    MaintenanceStore,
  ],
  exports: [AutohealEngine],
})
export class EngineModule {}
