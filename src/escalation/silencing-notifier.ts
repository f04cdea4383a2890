import { Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AutohealMetrics } from '../metrics/autoheal-metrics.service';
import { Notification, Notifier } from './notifier.port';
import { SilenceStore } from './silence-store.port';

/**
 * The notifier every caller gets: a page matching an active silence (its tenant and error signature) is not sent,
 * and counted (autoheal_notifications_suppressed_total); the occurrence that reaches the silence's max_occurrences
 * sends one escalation instead. Pages without a signature, or while the silences cannot be read, go out as usual:
 * a silence must never lose a page it does not cover.
 */
export class SilencingNotifier extends Notifier {
  private readonly logger = new Logger(SilencingNotifier.name);

  constructor(
    /** Where pages go: the Slack-compatible webhook or the log. */
    readonly channel: Notifier,
    private readonly silences: SilenceStore,
    private readonly metrics: AutohealMetrics,
    private readonly clock: Clock,
  ) {
    super();
  }

  async notify(notification: Notification): Promise<void> {
    const occurrence = await this.occurrence(notification);
    if (!occurrence) return this.channel.notify(notification);
    const { silence } = occurrence;
    if (!occurrence.escalate) {
      this.metrics.countSuppressed();
      return;
    }
    await this.channel.notify({
      ...notification,
      title: `Silenced error keeps recurring: ${notification.title}`,
      text:
        `${silence.occurrences} occurrences of "${silence.signature}" (tenant ${silence.tenant_id}) during silence ${silence.id} ` +
        `(max ${silence.max_occurrences}, until ${new Date(silence.ends_at).toISOString()}); further pages stay silenced. ` +
        `End it with DELETE /autoheal/silences/${silence.id}. ${notification.text}`,
      severity: 'critical',
      fields: { ...notification.fields, silence_id: silence.id, occurrences: String(silence.occurrences) },
    });
  }

  private async occurrence(notification: Notification) {
    if (!notification.signature || !notification.tenant_id) return null;
    try {
      const now = this.clock.now();
      const silence = await this.silences.match(notification.tenant_id, notification.signature, now);
      return silence ? await this.silences.countOccurrence(silence.id, notification.endpoint ?? '', now) : null;
    } catch (error) {
      this.logger.warn(`Silences unreadable, paging anyway: ${error instanceof Error ? error.message : error}`);
      return null;
    }
  }
}
