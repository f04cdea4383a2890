import { Module } from '@nestjs/common';
import { AnomaliesModule } from '../anomalies/anomalies.module';
import { ControlsModule } from '../controls/controls.module';
import { CycleHistoryModule } from '../cycle-history/cycle-history.module';
import { DeferralsModule } from '../deferrals/deferrals.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { EscalationModule } from '../escalation/escalation.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { InsightsModule } from '../insights/insights.module';
import { MaintenanceModule } from '../maintenance/maintenance.module';
import { MetricsModule } from '../metrics/metrics.module';
import { PredictorsModule } from '../predictors/predictors.module';
import { IncidentHealingModule } from '../recovery/incident-healing.module';
import { ReplayModule } from '../replay/replay.module';
import { ThrottlesModule } from '../throttles/throttles.module';
import { AutohealController } from './autoheal.controller';
import { AutohealEngine } from './autoheal-engine.service';
import { CycleBookkeeping } from './cycle-bookkeeping.service';
import { CycleInputs } from './cycle-inputs.service';
import { DeferExecutor } from './executors/defer.executor';
import { EscalateExecutor } from './executors/escalate.executor';
import { RateLimitExecutor } from './executors/rate-limit.executor';
import { SilenceDupesExecutor } from './executors/silence-dupes.executor';
import { RecoverBacklogExecutor } from './executors/recover-backlog.executor';
import { ReplayExecutor } from './executors/replay.executor';
import { StrategyExecutorRegistry } from './executors/strategy-executor';
import { IncidentTracking } from './incident-tracking.service';

/** A new strategy is one executor class, added here. */
export const EXECUTORS = [ReplayExecutor, EscalateExecutor, DeferExecutor, RecoverBacklogExecutor, RateLimitExecutor, SilenceDupesExecutor];

export const executorRegistryProvider = {
  provide: StrategyExecutorRegistry,
  inject: EXECUTORS,
  useFactory: (...executors: InstanceType<(typeof EXECUTORS)[number]>[]) => new StrategyExecutorRegistry(executors),
};

@Module({
  imports: [
    AnomaliesModule,
    DeliveriesModule,
    InsightsModule,
    ReplayModule,
    EscalationModule,
    PredictorsModule,
    ControlsModule,
    MaintenanceModule,
    DeferralsModule,
    CycleHistoryModule,
    MetricsModule,
    IncidentsModule,
    IncidentHealingModule,
    ThrottlesModule,
  ],
  controllers: [AutohealController],
  providers: [...EXECUTORS, executorRegistryProvider, AutohealEngine, CycleInputs, CycleBookkeeping, IncidentTracking],
  exports: [AutohealEngine],
})
export class EngineModule {}
