/** So a dependency that fails on every reconnect attempt cannot flood the logs. */
export class ThrottledLog {
  private lastWrittenAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly write: (message: string) => void,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  log(message: string): void {
    const now = this.now();
    if (now - this.lastWrittenAt < this.intervalMs) {
      this.suppressed += 1;
      return;
    }
    const suffix = this.suppressed > 0 ? ` (${this.suppressed} similar message(s) suppressed)` : '';
    this.lastWrittenAt = now;
    this.suppressed = 0;
    this.write(message + suffix);
  }

  /** After recovery the next failure is news. */
  reset(): void {
    this.lastWrittenAt = Number.NEGATIVE_INFINITY;
    this.suppressed = 0;
  }
}
