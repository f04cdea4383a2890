import { Module } from '@nestjs/common';
import { AnomaliesModule } from './anomalies/anomalies.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ClockModule } from './clock/clock.module';
import { AppConfigModule } from './config/config.module';
import { CoordinationModule } from './coordination/coordination.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { DatabaseModule } from './database/database.module';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { EngineModule } from './engine/engine.module';
import { EscalationModule } from './escalation/escalation.module';
import { HealthModule } from './health/health.module';
import { IncidentsModule } from './incidents/incidents.module';
import { InsightsModule } from './insights/insights.module';
import { RecoveriesModule } from './recovery/recoveries.module';
import { RecoveryModule } from './recovery/recovery.module';
import { ReplayModule } from './replay/replay.module';
import { RulesModule } from './rules/rules.module';
import { SchedulerModule } from './scheduler/scheduler.module';

@Module({
  imports: [
    AppConfigModule,
    ClockModule,
    RulesModule,
    DatabaseModule,
    CoordinationModule,
    AuthModule,
    DeliveriesModule,
    HealthModule,
    AuditModule,
    EscalationModule,
    AnomaliesModule,
    InsightsModule,
    ReplayModule,
    IncidentsModule,
    RecoveryModule,
    RecoveriesModule,
    EngineModule,
    SchedulerModule,
    DashboardModule,
  ],
})
export class AppModule {}
