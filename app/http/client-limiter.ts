import { performance } from 'node:perf_hooks';
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
 * costs no Redis commands at all. A Redis that stops answering (connection open, no replies) costs
 * the 250 ms command timeout before the insurance counts: after such a fallback the next half
 * second of requests goes to the insurance directly, then Redis is tried again, so one slow request
 * per half second pays for the outage instead of every limited request.
 */
export function createClientLimiter(options: ClientLimiterOptions): ClientLimiter | undefined {
  if (options.perMinute <= 0) return undefined;
  const window = { points: options.perMinute, duration: 60, keyPrefix: options.keyPrefix };
  const insurance = new Insurance(window);
  const limiter = options.redis
    ? new RateLimiterRedis({
        ...window,
        storeClient: options.redis,
        rejectIfRedisNotReady: true,
        insuranceLimiter: insurance,
        inMemoryBlockOnConsumed: options.perMinute + 1,
      })
    : undefined;
  return {
    async take(clientKey) {
      try {
        if (limiter && !insurance.recentlyFellBack()) await limiter.consume(clientKey);
        else await insurance.consumeDirectly(clientKey);
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

/** How long requests skip Redis after it failed one (its probe, in effect, is the next request after). */
const SKIP_REDIS_MS = 500;

/**
 * The in-memory insurance, which also notes when the Redis limiter last fell back to it: the only
 * caller of consume() is RateLimiterRedis after a Redis error.
 */
class Insurance extends RateLimiterMemory {
  private fellBackAt = Number.NEGATIVE_INFINITY;

  override consume(key: string | number, points?: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    this.fellBackAt = performance.now();
    return super.consume(key, points, options);
  }

  recentlyFellBack(): boolean {
    return performance.now() - this.fellBackAt < SKIP_REDIS_MS;
  }

  /** The same budget, counted here without Redis having failed. */
  consumeDirectly(key: string): Promise<RateLimiterRes> {
    return super.consume(key);
  }
}
