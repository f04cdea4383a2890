import { Module } from '@nestjs/common';
import { EscalationModule } from '../escalation/escalation.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { MetricsModule } from '../metrics/metrics.module';
import { IncidentBacklog } from './incident-backlog.service';
import { IncidentDrainRunner } from './incident-drain-runner.service';
import { IncidentRecovery } from './incident-recovery.service';
import { ReplayModule } from '../replay/replay.module';
import { RecoveriesModule } from './recoveries.module';
import { RecoveryModule } from './recovery.module';
import { ThrottlesModule } from '../throttles/throttles.module';

/**
 * Healing incidents on the drain machinery operator recoveries use: the backlog probes and
 * approval plans read (IncidentBacklog) and the runner of `incident` drain jobs. The engine's
 * RECOVER_BACKLOG executor uses both.
 */
@Module({
  imports: [RecoveryModule, RecoveriesModule, ReplayModule, IncidentsModule, MetricsModule, ThrottlesModule, EscalationModule],
  providers: [IncidentBacklog, IncidentDrainRunner, IncidentRecovery],
  exports: [IncidentBacklog, IncidentRecovery, RecoveryModule],
})
export class IncidentHealingModule {}
