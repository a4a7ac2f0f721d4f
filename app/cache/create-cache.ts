import type { Logger } from '../platform/log.js';
import { NoCache, type Cache } from './cache.js';
import { RedisCache } from './redis-cache.js';
import { createRedisClient, RedisLink, type RedisLinkOptions } from './redis-link.js';
import { DEFAULT_TIMINGS, type EngineTimings } from './timings.js';

export interface CacheSettings {
  /** Empty: caching off. */
  redisUrl: string;
  /** Part of every key name, with the incarnation id. */
  databaseName: string;
  /** Reads the database's incarnation id (undefined while the schema is not readable). */
  incarnation: () => Promise<string | undefined>;
  timings?: Partial<EngineTimings>;
  link?: Partial<RedisLinkOptions>;
}

const DEFAULT_LINK: RedisLinkOptions = { breakerFailures: 3, breakerRetryMs: 500 };

/** Caching off when REDIS_URL is empty; otherwise Redis, degraded to MySQL until Redis answers. */
export async function createCache(settings: CacheSettings, log: Logger): Promise<Cache> {
  if (settings.redisUrl === '') {
    log.info('REDIS_URL is empty: caching is off');
    return new NoCache();
  }
  const client = createRedisClient(settings.redisUrl, log);
  // Give Redis a moment so the first requests are cached; never block startup on it.
  const ready = await Promise.race([
    // Not events.once: it rejects on the 'error' events every failed connect attempt emits.
    new Promise<boolean>((resolve) => client.once('ready', () => resolve(true))),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref()),
  ]);
  if (!ready) log.warn('Redis not reachable at startup: serving from MySQL until it is');
  const link = new RedisLink(
    client,
    { databaseName: settings.databaseName, incarnation: settings.incarnation },
    { ...DEFAULT_LINK, ...settings.link },
    log,
  );
  if (!(await link.resolveNamespace('read'))) {
    log.warn('cache namespace not readable yet (migrations pending?): serving from MySQL until it is');
  }
  return new RedisCache(link, { ...DEFAULT_TIMINGS, ...settings.timings });
}
