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

@Module({
  controllers: [EscalationController],
  providers: [
    {
      provide: EscalationStore,
      inject: [DataSource],
      useFactory: (dataSource: DataSource): EscalationStore => new SqlEscalationStore(dataSource),
    },
    EscalationService,
    StormPager,
    {
      provide: Notifier,
      inject: [AppConfig],
      useFactory: (config: AppConfig): Notifier => {
        if (config.notifyWebhookUrl) return new SlackWebhookNotifier(config.notifyWebhookUrl);
        new Logger('Notifications').log('NOTIFY_WEBHOOK_URL is not set: notifications go to the log only');
        return new LogNotifier();
      },
    },
  ],
  exports: [EscalationService, Notifier, StormPager],
})
export class EscalationModule {}
