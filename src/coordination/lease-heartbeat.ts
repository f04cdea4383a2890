/**
 * A holder that dies stops renewing, so what it held expires within one lease instead of blocking healing.
 * A renewal that answers false or throws is remembered; renewals never overlap.
 */
export class LeaseHeartbeat {
  private readonly timer: NodeJS.Timeout;
  private inFlight: Promise<void> = Promise.resolve();
  private lost = false;
  private stopped = false;

  constructor(
    private readonly renew: () => Promise<boolean>,
    intervalMs: number,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    let running = false;
    this.timer = setInterval(
      () => {
        if (running || this.stopped) return;
        running = true;
        this.inFlight = this.beat().finally(() => {
          running = false;
        });
      },
      Math.max(1, Math.floor(intervalMs)),
    );
    this.timer.unref();
  }

  get holds(): boolean {
    return !this.lost;
  }

  /** Resolves once a renewal in flight has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.inFlight;
  }

  private async beat(): Promise<void> {
    try {
      if (!(await this.renew())) this.lost = true;
    } catch (error) {
      this.onError(error);
    }
  }
}
