/**
 * Sends work around Redis while it is failing. Closed: Redis is used. After `failureThreshold`
 * consecutive failures (or a dropped connection) it opens: callers skip Redis at once, so no request
 * waits on timeouts. While open, a background probe runs every `retryMs`; the first success closes
 * it. Requests never run the probe themselves, so recovery work (a new epoch) happens before any
 * request reads from Redis again. An open() while a probe runs voids that probe: the failure it
 * reports may have come after the probe looked (e.g. after it decided no new epoch was needed).
 */
export interface BreakerOptions {
  failureThreshold: number;
  retryMs: number;
  /** Must throw if Redis is not usable yet. */
  probe: () => Promise<void>;
  onStateChange?: (open: boolean) => void;
}

export class CircuitBreaker {
  private failures = 0;
  private openSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  /** Set by open() while a probe runs: that probe's success predates the failure, so it cannot close. */
  private reopenedDuringProbe = false;
  private stopped = false;

  constructor(private readonly options: BreakerOptions) {}

  get isClosed(): boolean {
    return this.openSince === undefined;
  }

  success(): void {
    this.failures = 0;
  }

  failure(): void {
    this.failures += 1;
    if (this.failures >= this.options.failureThreshold) this.open();
  }

  open(): void {
    if (this.probing) this.reopenedDuringProbe = true;
    if (this.stopped || this.openSince !== undefined) return;
    this.openSince = Date.now();
    this.options.onStateChange?.(true);
    this.timer = setInterval(() => void this.tryProbe(), this.options.retryMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  private async tryProbe(): Promise<void> {
    if (this.probing || this.stopped) return;
    this.probing = true;
    this.reopenedDuringProbe = false;
    try {
      await this.options.probe();
      // A failure reported while the probe ran (a write Redis did not see, a dropped connection)
      // may have come after the probe checked for it: only the next probe may close the breaker.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- open() and stop() may run during the await; TypeScript keeps the narrowing from before it
      if (this.reopenedDuringProbe || this.stopped) return;
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      this.openSince = undefined;
      this.failures = 0;
      this.options.onStateChange?.(false);
    } catch {
      // Still down; the next tick tries again.
    } finally {
      this.probing = false;
    }
  }
}
