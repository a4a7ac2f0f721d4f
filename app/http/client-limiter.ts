import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** A per-client request budget over a fixed one-minute window. */
export interface ClientLimiter {
  /** Takes one request from the client's budget: undefined when allowed, else ms until it refills. */
  take(clientKey: string): Promise<number | undefined>;
}

export interface ClientLimiterOptions {
  /** Requests per client per minute; 0 turns this limit off (no limiter is built). */
  perMinute: number;
  /** Shared store, so the budget holds across replicas; undefined: this process only. */
  redis: Redis | undefined;
  /** Redis key prefix, e.g. blog:<database>:rl:auth (one deployment's budgets apart from another's). */
  keyPrefix: string;
}

/**
 * rate-limiter-flexible: one atomic Lua INCR+EXPIRE per request in Redis, so every replica spends
 * from the same budget; an in-memory limiter (the insurance) takes over while Redis is
 * unreachable, so the limit still holds per process instead of failing open. The client's
 * Redis connection has no offline queue and short timeouts (the cache's settings): with Redis
 * down a request falls to the insurance at once rather than waiting. A client over its budget is
 * then also remembered in memory until its window ends (inMemoryBlockOnConsumed), so a flood
 * costs no Redis commands at all.
 */
export function createClientLimiter(options: ClientLimiterOptions): ClientLimiter | undefined {
  if (options.perMinute <= 0) return undefined;
  const window = { points: options.perMinute, duration: 60, keyPrefix: options.keyPrefix };
  const memory = new RateLimiterMemory(window);
  const limiter = options.redis
    ? new RateLimiterRedis({
        ...window,
        storeClient: options.redis,
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
        inMemoryBlockOnConsumed: options.perMinute + 1,
      })
    : memory;
  return {
    async take(clientKey) {
      try {
        await limiter.consume(clientKey);
        return undefined;
      } catch (rejection) {
        // Over budget is answered with a RateLimiterRes; anything else would be a fault of the
        // in-memory insurance itself, and must not turn every write into a 500.
        if (rejection instanceof RateLimiterRes) return Math.max(1, rejection.msBeforeNext);
        return undefined;
      }
    },
  };
}
