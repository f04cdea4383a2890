import { Logger } from '@nestjs/common';
import { Notification, Notifier } from './notifier.port';

/** The default when no webhook is configured: the notification goes to the service log. */
export class LogNotifier extends Notifier {
  private readonly logger = new Logger('Notifications');

  async notify(notification: Notification): Promise<void> {
    const context = {
      tenant_id: notification.tenant_id,
      endpoint: notification.endpoint,
      escalation_id: notification.escalation_id,
      ...notification.fields,
    };
    const line = `[${notification.severity}] ${notification.title}: ${notification.text} ${JSON.stringify(context)}`;
    if (notification.severity === 'critical') this.logger.error(line);
    else if (notification.severity === 'warning') this.logger.warn(line);
    else this.logger.log(line);
  }
}
