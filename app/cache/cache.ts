/**
 * The cache as the modules see it. RedisCache (redis-cache.ts) adds single-flight fills, fill
 * leases, version-guarded stores, an epoch for outages and a circuit breaker; NoCache is used
 * when REDIS_URL is empty and simply asks MySQL every time. Values must be JSON-safe.
 */

/** The `cache` label of redis_cache_hits_total / redis_cache_misses_total. */
export type CacheName =
  | 'article'
  | 'article_body'
  | 'article_slug'
  | 'profile'
  | 'user_id'
  | 'tags'
  | 'comments'
  | 'article_list'
  | 'favorites'
  | 'following';

export interface IdPage {
  ids: number[];
  total: number;
}

export interface IndexOptions {
  /** Store a rebuilt index that has no ids (default true). */
  keepEmpty?: boolean;
}

/** Keys of complete id indexes touched by a write. */
export interface IndexEdit {
  key: string;
  id: number;
}

/** What a committed write changed, applied atomically in Redis before the write is acknowledged. */
export interface CacheChange {
  /** Entries to drop (their versions are bumped, so fills that read MySQL earlier are discarded). */
  invalidate?: readonly string[];
  /** Ids to add to an index, if that index is complete in Redis (an absent index stays absent). */
  add?: readonly IndexEdit[];
  remove?: readonly IndexEdit[];
  /**
   * Write-through for rows this write just created, which no other request can have changed yet
   * (nobody knows their id, slug or token before the response): stored as complete entries.
   */
  seed?: readonly { key: string; value: unknown }[];
  /** Complete indexes for a just-created owner (e.g. a new user's empty favorites). */
  seedIndex?: readonly { key: string; ids: readonly number[] }[];
}

export interface Cache {
  /** The cached value, or fill() run once per process and stored; undefined is returned, not stored. */
  getOrFill<T>(cache: CacheName, key: string, fill: () => Promise<T | undefined>): Promise<T | undefined>;
  /**
   * Many values of one kind in one round trip; fill receives only the missing keys and returns
   * what exists (absent keys are not stored).
   */
  getManyOrFill<T>(
    cache: CacheName,
    keys: readonly string[],
    fill: (missing: readonly string[]) => Promise<ReadonlyMap<string, T>>,
  ): Promise<Map<string, T>>;
  /**
   * A page (highest id first) of an id index and its size. `build` loads every id of the index
   * from MySQL when the index is not complete in Redis; `direct` answers the page from MySQL when
   * Redis cannot be used. `keepEmpty: false` for indexes named by request input (tags): an empty
   * rebuild is not stored, so made-up names cost a query each, not an entry each.
   */
  indexPage(
    cache: CacheName,
    key: string,
    offset: number,
    limit: number,
    build: () => Promise<readonly number[]>,
    direct: () => Promise<IdPage>,
    options?: IndexOptions,
  ): Promise<IdPage>;
  /** Which of ids are in an index (same build/direct contract as indexPage). */
  indexHas(
    cache: CacheName,
    key: string,
    ids: readonly number[],
    build: () => Promise<readonly number[]>,
    direct: () => Promise<ReadonlySet<number>>,
  ): Promise<Set<number>>;
  /** Applies a committed write; never throws (a failure makes the cache start a new epoch later). */
  afterWrite(change: CacheChange): Promise<void>;
  close(): Promise<void>;
}

export class NoCache implements Cache {
  getOrFill<T>(_cache: CacheName, _key: string, fill: () => Promise<T | undefined>): Promise<T | undefined> {
    return fill();
  }
  async getManyOrFill<T>(
    _cache: CacheName,
    keys: readonly string[],
    fill: (missing: readonly string[]) => Promise<ReadonlyMap<string, T>>,
  ): Promise<Map<string, T>> {
    return new Map(keys.length === 0 ? [] : await fill(keys));
  }
  indexPage(
    _cache: CacheName,
    _key: string,
    _offset: number,
    _limit: number,
    _build: () => Promise<readonly number[]>,
    direct: () => Promise<IdPage>,
  ): Promise<IdPage> {
    return direct();
  }
  async indexHas(
    _cache: CacheName,
    _key: string,
    ids: readonly number[],
    _build: () => Promise<readonly number[]>,
    direct: () => Promise<ReadonlySet<number>>,
  ): Promise<Set<number>> {
    return ids.length === 0 ? new Set() : new Set(await direct());
  }
  async afterWrite(): Promise<void> {}
  async close(): Promise<void> {}
}
