export type NotificationSeverity = 'info' | 'warning' | 'critical';

export interface Notification {
  title: string;
  text: string;
  severity: NotificationSeverity;
  tenant_id?: string;
  endpoint?: string;
  escalation_id?: string;
  fields?: Record<string, string>;
  /** The error signature the page is about (errorSignature): silences (SILENCE_DUPES) match it with tenant_id. */
  signature?: string;
}

/** Tells people (on-call, a channel) that something needs them. Rejects when delivery failed. */
export abstract class Notifier {
  abstract notify(notification: Notification): Promise<void>;
}
