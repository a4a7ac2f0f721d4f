import { ShedError, type ShedReason } from './errors.js';

export interface SemaphoreOptions {
  /** Holders at once. */
  size: number;
  /** Waiters beyond this are refused at once: a queue longer than the deadline can drain only hurts. */
  queueLimit: number;
  /** Longest wait for a permit. */
  waitTimeoutMs: number;
  /** Shed reasons for a full queue, a wait past the deadline, and an acquire after close(). */
  reasons: { queueFull: ShedReason; timeout: ShedReason; closed: ShedReason };
  /** Called after every change of holders or waiters (for gauges). */
  onChange?: () => void;
  /** Called when a wait times out (for counters). */
  onTimeout?: () => void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A counting semaphore whose waiting is bounded twice: in length and in time. Everything that
 * would otherwise queue without limit (database connections, password hashing) goes through one,
 * so overload turns into fast 503s (ShedError) instead of requests that hang.
 */
export class Semaphore {
  private holders = 0;
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(private readonly options: SemaphoreOptions) {}

  get active(): number {
    return this.holders;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  acquire(): Promise<void> {
    if (this.closed) return Promise.reject(new ShedError(this.options.reasons.closed));
    if (this.holders < this.options.size) {
      this.holders += 1;
      this.options.onChange?.();
      return Promise.resolve();
    }
    if (this.waiters.length >= this.options.queueLimit) {
      return Promise.reject(new ShedError(this.options.reasons.queueFull));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          this.options.onTimeout?.();
          this.options.onChange?.();
          reject(new ShedError(this.options.reasons.timeout));
        }, this.options.waitTimeoutMs),
      };
      this.waiters.push(waiter);
      this.options.onChange?.();
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) {
      // Hand the permit straight to the next waiter: the holder count stays the same.
      clearTimeout(next.timer);
      next.resolve();
    } else {
      this.holders -= 1;
    }
    this.options.onChange?.();
  }

  /** Runs fn with a permit, releasing it however fn ends. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /** Refuses every waiter and future acquire (shutdown). */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new ShedError(this.options.reasons.closed));
    }
    this.options.onChange?.();
  }
}
