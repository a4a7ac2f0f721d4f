import { sql, type Kysely } from 'kysely';
import { databaseName } from '../db/database.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../log.js';
import { NoCache, type Cache } from './cache.js';
import { namespaceFor } from './keys.js';
import { createRedisClient, DEFAULT_CACHE_OPTIONS, RedisCache, type RedisCacheOptions } from './redis-cache.js';

/**
 * Identifies this incarnation of the database: a dropped and re-created database reuses ids, so
 * its cache entries must not be found under the same names.
 */
async function databaseIncarnation(db: Kysely<Database>): Promise<string> {
  const result = await sql<{ created: string | number | null }>`
    SELECT UNIX_TIMESTAMP(create_time) AS created FROM information_schema.tables
    WHERE table_schema = DATABASE() AND table_name = 'articles'`.execute(db);
  const created = result.rows[0]?.created;
  return created === null || created === undefined ? 'unknown' : String(created).replace(/\D/g, '');
}

/** Caching off when REDIS_URL is empty; otherwise Redis, degraded to MySQL until Redis answers. */
export async function createCache(
  redisUrl: string,
  databaseUrl: string,
  db: Kysely<Database>,
  log: Logger,
  overrides: Partial<Omit<RedisCacheOptions, 'namespace'>> = {},
): Promise<Cache> {
  if (redisUrl === '') {
    log.info('REDIS_URL is empty: caching is off');
    return new NoCache();
  }
  const namespace = namespaceFor(databaseName(databaseUrl), await databaseIncarnation(db));
  const client = createRedisClient(redisUrl, log);
  const cache = new RedisCache(client, { ...DEFAULT_CACHE_OPTIONS, ...overrides, namespace }, log);
  // Give Redis a moment so the first requests are cached; never block startup on it.
  const ready = await Promise.race([
    // Not events.once: it rejects on the 'error' events every failed connect attempt emits.
    new Promise<boolean>((resolve) => client.once('ready', () => resolve(true))),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref()),
  ]);
  if (!ready) {
    log.warn('Redis not reachable at startup: serving from MySQL until it is');
    cache.startDegraded();
  }
  return cache;
}
