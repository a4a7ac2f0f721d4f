import { createRedisClient } from './cache/redis-link.js';
import type { Config } from './config.js';
import { databaseName } from './db/database.js';
import { createClientLimiter } from './http/client-limiter.js';
import type { RateLimits } from './http/rate-limit.js';
import type { Logger } from './platform/log.js';

export interface RunningRateLimits {
  readonly rateLimits: RateLimits;
  close(): Promise<void>;
}

/**
 * The per-client budgets (RATE_LIMIT_*). Kept in Redis when REDIS_URL is set, so that they hold
 * across replicas, on a connection of their own with the cache's fail-fast settings (no offline
 * queue, 250 ms command timeout); the keys live under the database's name, so deployments and
 * test databases sharing one Redis keep separate budgets. Without Redis, per process.
 */
export async function createRateLimits(config: Config, log: Logger): Promise<RunningRateLimits> {
  const anyLimit = config.rateLimitAuthPerMinute > 0 || config.rateLimitWritesPerMinute > 0;
  const redis = anyLimit && config.redisUrl !== '' ? createRedisClient(config.redisUrl, log) : undefined;
  if (redis) {
    // Like the cache: give Redis a moment, so the first requests are counted where every replica
    // sees them; never block startup on it (the in-memory insurance counts meanwhile).
    const ready = await Promise.race([
      new Promise<boolean>((resolve) => redis.once('ready', () => resolve(true))),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref()),
    ]);
    if (!ready) log.warn('Redis not reachable at startup: rate limits are per process until it is');
  }
  const prefix = `blog:${databaseName(config.databaseUrl)}:rl`;
  return {
    rateLimits: {
      auth: createClientLimiter({ perMinute: config.rateLimitAuthPerMinute, redis, keyPrefix: `${prefix}:auth` }),
      writes: createClientLimiter({ perMinute: config.rateLimitWritesPerMinute, redis, keyPrefix: `${prefix}:writes` }),
      trustedProxyCount: config.trustedProxyCount,
    },
    async close() {
      if (!redis) return;
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}
