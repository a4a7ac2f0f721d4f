import { sql, type Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import { databaseName } from '../db/database.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../log.js';
import { NoCache, type Cache, type CacheChange, type CacheName, type IdPage, type IndexOptions } from './cache.js';
import { namespaceFor } from './keys.js';
import { createRedisClient, DEFAULT_CACHE_OPTIONS, RedisCache, type RedisCacheOptions } from './redis-cache.js';

/** How often a read retries the namespace while it is unknown (writes always retry). */
const NAMESPACE_RETRY_MS = 1000;

/**
 * The random id migration 0002 wrote for this incarnation of the database (a dropped and
 * re-created database reuses ids, so its entries must not be found under the same names).
 * Undefined while it cannot be read: schema not migrated yet, or MySQL not reachable.
 */
async function readIncarnation(db: Kysely<Database>): Promise<string | undefined> {
  try {
    const result = await sql<{ incarnation: string }>`SELECT incarnation FROM cache_namespace WHERE id = 1`.execute(db);
    const incarnation = result.rows[0]?.incarnation;
    return typeof incarnation === 'string' && incarnation !== '' ? incarnation : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Nothing is cached under an unknown namespace: until the incarnation id can be read (a pod that
 * started before the migration Job), every call goes to MySQL (NoCache). Reads retry at most once a
 * second; a write always retries after its commit, so a write that committed once the schema
 * exists invalidates the same keys every other replica reads.
 */
class NamespacedCache implements Cache {
  private redis: RedisCache | undefined;
  private attempt: Promise<RedisCache | undefined> | undefined;
  private lastFailure = 0;
  private closed = false;
  private readonly uncached = new NoCache();

  constructor(
    private readonly client: Redis,
    private readonly db: Kysely<Database>,
    private readonly databaseName: string,
    private readonly options: Omit<RedisCacheOptions, 'namespace'>,
    private readonly log: Logger,
  ) {}

  /** Reads the namespace once; the result is kept for the process lifetime. */
  async resolve(): Promise<RedisCache | undefined> {
    if (this.redis || this.closed) return this.redis;
    this.attempt ??= (async () => {
      const incarnation = await readIncarnation(this.db);
      if (incarnation === undefined || this.closed) {
        this.lastFailure = Date.now();
        return undefined;
      }
      const cache = new RedisCache(
        this.client,
        { ...this.options, namespace: namespaceFor(this.databaseName, incarnation) },
        this.log,
      );
      if (this.client.status !== 'ready') cache.startDegraded();
      this.redis = cache;
      return cache;
    })().finally(() => {
      this.attempt = undefined;
    });
    return this.attempt;
  }

  private async forRead(): Promise<Cache> {
    if (this.redis) return this.redis;
    if (Date.now() - this.lastFailure < NAMESPACE_RETRY_MS) return this.uncached;
    return (await this.resolve()) ?? this.uncached;
  }

  async getOrFill<T>(cache: CacheName, key: string, fill: () => Promise<T | undefined>): Promise<T | undefined> {
    return (await this.forRead()).getOrFill(cache, key, fill);
  }

  async getManyOrFill<T>(
    cache: CacheName,
    keys: readonly string[],
    fill: (missing: readonly string[]) => Promise<ReadonlyMap<string, T>>,
  ): Promise<Map<string, T>> {
    return (await this.forRead()).getManyOrFill(cache, keys, fill);
  }

  async indexPage(
    cache: CacheName,
    key: string,
    offset: number,
    limit: number,
    build: () => Promise<readonly number[]>,
    direct: () => Promise<IdPage>,
    options?: IndexOptions,
  ): Promise<IdPage> {
    return (await this.forRead()).indexPage(cache, key, offset, limit, build, direct, options);
  }

  async indexHas(
    cache: CacheName,
    key: string,
    ids: readonly number[],
    build: () => Promise<readonly number[]>,
    direct: () => Promise<ReadonlySet<number>>,
  ): Promise<Set<number>> {
    return (await this.forRead()).indexHas(cache, key, ids, build, direct);
  }

  async afterWrite(change: CacheChange): Promise<void> {
    // An attempt that started before this write committed may have failed before the schema
    // existed: only an attempt started now proves nobody can have cached what this write changed.
    if (!this.redis && this.attempt) await this.attempt;
    const cache = this.redis ?? (await this.resolve());
    await cache?.afterWrite(change);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.attempt) await this.attempt;
    if (this.redis) await this.redis.close();
    else this.client.disconnect();
  }
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
  const client = createRedisClient(redisUrl, log);
  // Give Redis a moment so the first requests are cached; never block startup on it.
  const ready = await Promise.race([
    // Not events.once: it rejects on the 'error' events every failed connect attempt emits.
    new Promise<boolean>((resolve) => client.once('ready', () => resolve(true))),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref()),
  ]);
  if (!ready) log.warn('Redis not reachable at startup: serving from MySQL until it is');
  const cache = new NamespacedCache(client, db, databaseName(databaseUrl), { ...DEFAULT_CACHE_OPTIONS, ...overrides }, log);
  if (!(await cache.resolve()))
    log.warn('cache namespace not readable yet (migrations pending?): serving from MySQL until it is');
  return cache;
}
