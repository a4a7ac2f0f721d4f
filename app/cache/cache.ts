import type { CacheName } from '../platform/metrics.js';

/**
 * The cache as the modules see it. RedisCache (redis-cache.ts) adds single-flight fills, fill
 * leases, version-guarded stores, an epoch for outages and a circuit breaker; NoCache is used
 * when REDIS_URL is empty and simply asks MySQL every time. Values must be JSON-safe.
 */

export type { CacheName };

export interface IdPage {
  ids: number[];
  total: number;
}

/** Values of one kind by logical key. */
export interface ValuesLookup<T> {
  cache: CacheName;
  keys: readonly string[];
  /** Loads the missing keys from MySQL; keys it returns nothing for are not stored. */
  fill: (missing: readonly string[]) => Promise<ReadonlyMap<string, T>>;
}

/** An id index (a sorted set, highest id first) and how to rebuild it. */
export interface IndexSource {
  cache: CacheName;
  key: string;
  /** Every id of the index, from MySQL, when the index is not complete in Redis. */
  build: () => Promise<readonly number[]>;
  /**
   * Store a rebuild that found no ids (default true). False for indexes named by request input
   * (tags): made-up names then cost a query each, not an entry each.
   */
  keepEmpty?: boolean;
}

export interface IndexPageLookup extends IndexSource {
  offset: number;
  limit: number;
  /** The page from MySQL alone, when Redis cannot be used. */
  direct: () => Promise<IdPage>;
}

export interface IndexMembersLookup extends IndexSource {
  ids: readonly number[];
  /** Which of ids are members, from MySQL alone, when Redis cannot be used. */
  direct: () => Promise<ReadonlySet<number>>;
}

/** Names an index: its cache (for the hit counter) and its key. */
export interface IndexName {
  cache: CacheName;
  key: string;
}

export interface PersonalPage {
  page: Buffer;
  flags: boolean[][];
}

/** A list page's whole answer as text (anonymous readers see the same bytes). */
export interface PageLookup {
  /** Names the page: its filter, limit and offset. */
  key: string;
  /** Assembles the page (from other cached entries) when it is not cached. */
  build: () => Promise<string>;
  /** The caller has just found the page not stored (storedPage): skip that lookup, go to the read that builds. */
  knownMissing?: boolean;
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
  /** Many values of one kind in one round trip; fill receives only the missing keys. */
  getMany<T>(lookup: ValuesLookup<T>): Promise<Map<string, T>>;
  /** A page (highest id first) of an id index and the index's size. */
  indexPage(lookup: IndexPageLookup): Promise<IdPage>;
  /** Which of ids are in an index. */
  indexHas(lookup: IndexMembersLookup): Promise<Set<number>>;
  /** A list page's answer (the bytes to send); dropped by every write that touches what pages are built from. */
  listPage(lookup: PageLookup): Promise<Buffer>;
  /** A page's answer if it is stored, without building it: undefined on a miss. */
  storedPage(key: string): Promise<Buffer | undefined>;
  /**
   * A stored page whose header line (JSON up to the first newline) lists, under `ids`, one id
   * list per set, with which of those ids are in each set (flags[set][position]): one round trip,
   * and only when the page is stored and every set is a complete index in Redis; undefined
   * otherwise (nothing is built: the caller takes listPage and indexHas).
   */
  storedPersonalPage(key: string, sets: readonly IndexName[]): Promise<PersonalPage | undefined>;
  /** Applies a committed write; never throws (a failure makes the cache start a new epoch later). */
  afterWrite(change: CacheChange): Promise<void>;
  close(): Promise<void>;
}

/** One value through the cache; undefined (nothing found) is returned, not stored. */
export async function getOne<T>(
  cache: Cache,
  name: CacheName,
  key: string,
  fill: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const values = await cache.getMany<T>({
    cache: name,
    keys: [key],
    fill: async () => {
      const value = await fill();
      return new Map(value === undefined ? [] : [[key, value]]);
    },
  });
  return values.get(key);
}

/** Caching off (REDIS_URL=""): every lookup is answered by MySQL. */
export class NoCache implements Cache {
  async getMany<T>(lookup: ValuesLookup<T>): Promise<Map<string, T>> {
    return new Map(lookup.keys.length === 0 ? [] : await lookup.fill([...new Set(lookup.keys)]));
  }
  indexPage(lookup: IndexPageLookup): Promise<IdPage> {
    return lookup.direct();
  }
  async indexHas(lookup: IndexMembersLookup): Promise<Set<number>> {
    return lookup.ids.length === 0 ? new Set() : new Set(await lookup.direct());
  }
  async listPage(lookup: PageLookup): Promise<Buffer> {
    return Buffer.from(await lookup.build());
  }
  storedPage(_key: string): Promise<Buffer | undefined> {
    return Promise.resolve(undefined);
  }
  storedPersonalPage(_key: string, _sets: readonly IndexName[]): Promise<PersonalPage | undefined> {
    return Promise.resolve(undefined);
  }
  async afterWrite(_change: CacheChange): Promise<void> {
    // Nothing is cached, so nothing can be stale.
  }
  async close(): Promise<void> {
    // No connection to close.
  }
}
