import { request } from 'undici';
import { Notification, NotificationSeverity, Notifier } from './notifier.port';

const SEVERITY_EMOJI: Record<NotificationSeverity, string> = {
  info: ':information_source:',
  warning: ':warning:',
  critical: ':rotating_light:',
};
const FIELDS_PER_SECTION = 10; // Slack's limit

/**
 * Posts to a Slack incoming webhook (or anything speaking its format: Mattermost, Rocket.Chat).
 * The webhook URL is a secret, so errors name only its origin.
 */
export class SlackWebhookNotifier extends Notifier {
  private readonly origin: string;

  constructor(
    private readonly webhookUrl: string,
    private readonly timeoutMs = 5000,
  ) {
    super();
    this.origin = new URL(webhookUrl).origin;
  }

  async notify(notification: Notification): Promise<void> {
    let response;
    try {
      response = await request(this.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(toSlackMessage(notification)),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new Error(
        `Notification webhook at ${this.origin} could not be reached: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    if (response.statusCode >= 200 && response.statusCode < 300) {
      await response.body.dump();
      return;
    }
    const answer = (await response.body.text().catch(() => '')).slice(0, 200);
    throw new Error(`Notification webhook at ${this.origin} answered HTTP ${response.statusCode}${answer ? `: ${answer}` : ''}`);
  }
}

/** Slack's incoming-webhook format: `text` is the fallback shown in pushes, `blocks` the message. */
export function toSlackMessage(n: Notification): { text: string; blocks: unknown[] } {
  const fields: Array<[string, string]> = [
    ...(n.tenant_id ? [['Tenant', n.tenant_id] as [string, string]] : []),
    ...(n.endpoint ? [['Endpoint', n.endpoint] as [string, string]] : []),
    ...(n.escalation_id ? [['Escalation', n.escalation_id] as [string, string]] : []),
    ...Object.entries(n.fields ?? {}),
  ];
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(n.title, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: cut(escapeMrkdwn(n.text), 3000) } },
  ];
  for (let i = 0; i < fields.length; i += FIELDS_PER_SECTION) {
    blocks.push({
      type: 'section',
      fields: fields
        .slice(i, i + FIELDS_PER_SECTION)
        .map(([name, value]) => ({ type: 'mrkdwn', text: cut(`*${escapeMrkdwn(name)}*\n${escapeMrkdwn(value)}`, 2000) })),
    });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${SEVERITY_EMOJI[n.severity]} severity: *${n.severity}*` }] });
  return { text: `${SEVERITY_EMOJI[n.severity]} [${n.severity.toUpperCase()}] ${n.title}: ${escapeMrkdwn(n.text)}`, blocks };
}

function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
