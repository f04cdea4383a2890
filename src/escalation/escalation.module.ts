import { Logger, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { EscalationStore } from './escalation-store.port';
import { EscalationController } from './escalation.controller';
import { EscalationService } from './escalation.service';
import { LogNotifier } from './log-notifier.adapter';
import { Notifier } from './notifier.port';
import { SlackWebhookNotifier } from './slack-webhook-notifier.adapter';
import { SqlEscalationStore } from './sql-escalation-store.adapter';
import { StormPager } from './storm-pager.service';
import { Clock } from '../clock/clock';
import { AutohealMetrics } from '../metrics/autoheal-metrics.service';
import { MetricsModule } from '../metrics/metrics.module';
import { SilenceStore } from './silence-store.port';
import { SilencesController } from './silences.controller';
import { SilencingNotifier } from './silencing-notifier';
import { SqlSilenceStore } from './sql-silence-store.adapter';

/** The page channel named by configuration: a Slack-compatible webhook, or the log. */
export function createNotificationChannel(config: AppConfig): Notifier {
  if (config.notifyWebhookUrl) return new SlackWebhookNotifier(config.notifyWebhookUrl);
  new Logger('Notifications').log('NOTIFY_WEBHOOK_URL is not set: notifications go to the log only');
  return new LogNotifier();
}

@Module({
  imports: [MetricsModule],
  controllers: [EscalationController, SilencesController],
  providers: [
    {
      provide: EscalationStore,
      inject: [DataSource],
      useFactory: (dataSource: DataSource): EscalationStore => new SqlEscalationStore(dataSource),
    },
    EscalationService,
    StormPager,
    // PostgreSQL always (the embedded PGlite included); the memory adapter is the unit tests' fake.
    { provide: SilenceStore, inject: [DataSource], useFactory: (dataSource: DataSource): SilenceStore => new SqlSilenceStore(dataSource) },
    {
      provide: Notifier,
      inject: [AppConfig, SilenceStore, AutohealMetrics, Clock],
      useFactory: (config: AppConfig, silences: SilenceStore, metrics: AutohealMetrics, clock: Clock): Notifier =>
        new SilencingNotifier(createNotificationChannel(config), silences, metrics, clock),
    },
  ],
  exports: [EscalationService, Notifier, StormPager, SilenceStore],
})
export class EscalationModule {}
