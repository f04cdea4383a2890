export type NotificationSeverity = 'info' | 'warning' | 'critical';

export interface Notification {
  title: string;
  text: string;
  severity: NotificationSeverity;
  tenant_id?: string;
  endpoint?: string;
  escalation_id?: string;
  fields?: Record<string, string>;
}

/** Tells people (on-call, a channel) that something needs them. Rejects when delivery failed. */
export abstract class Notifier {
  abstract notify(notification: Notification): Promise<void>;
}
