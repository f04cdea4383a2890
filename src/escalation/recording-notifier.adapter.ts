import { Notification, Notifier } from './notifier.port';

/** Keeps what it was asked to send; can be told to fail, to exercise the caller's error path. */
export class RecordingNotifier extends Notifier {
  readonly sent: Notification[] = [];
  failWith: Error | null = null;

  async notify(notification: Notification): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push(structuredClone(notification));
  }

  clear(): void {
    this.sent.length = 0;
  }
}
