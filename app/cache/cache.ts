/**
 * The cache as the modules see it. The Redis implementation (cache/redis-cache.ts) adds
 * single-flight fills, leases and a circuit breaker; NoCache is used when REDIS_URL is empty.
 */
export interface Cache {
  /** Returns the cached value for key, or runs fill once (per process) and stores its result. */
  getOrFill<T>(cache: string, key: string, fill: () => Promise<T>): Promise<T>;
  /** Removes keys after a write; must not throw (a failed delete is handled inside). */
  del(...keys: string[]): Promise<void>;
  close(): Promise<void>;
}

export class NoCache implements Cache {
  getOrFill<T>(_cache: string, _key: string, fill: () => Promise<T>): Promise<T> {
    return fill();
  }
  async del(): Promise<void> {}
  async close(): Promise<void> {}
}
