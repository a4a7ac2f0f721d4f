import type { Kysely } from 'kysely';
import type { CacheName, IndexName } from '../cache/cache.js';
import type { Database } from '../db/schema.js';
import type { AppDeps } from './deps.js';

/**
 * The two shapes every module reads through the cache, declared once per cached thing:
 * rows by id (articles, profiles) and a viewer's own id set (favorites, followees).
 */

export interface ByIdSource<V> {
  cache: CacheName;
  key: (id: number) => string;
  /** The rows of these ids from MySQL, in one statement per kind; missing ids are left out. */
  load: (db: Kysely<Database>, ids: readonly number[]) => Promise<ReadonlyMap<number, V>>;
}

/** Rows by id through the cache; the missing ones cost one load for all of them. */
export function byIdThroughCache<V>(source: ByIdSource<V>): (deps: AppDeps, ids: readonly number[]) => Promise<Map<number, V>> {
  return async (deps, ids) => {
    const unique = [...new Set(ids)];
    const idOfKey = new Map(unique.map((id) => [source.key(id), id]));
    const byKey = await deps.cache.getMany<V>({
      cache: source.cache,
      keys: [...idOfKey.keys()],
      fill: async (missing) => {
        const rows = await source.load(
          deps.db,
          missing.flatMap((key) => idOfKey.get(key) ?? []),
        );
        return new Map([...rows].map(([id, value]) => [source.key(id), value]));
      },
    });
    const result = new Map<number, V>();
    for (const [key, id] of idOfKey) {
      const value = byKey.get(key);
      if (value !== undefined) result.set(id, value);
    }
    return result;
  };
}

export interface ViewerSetSource {
  cache: CacheName;
  key: (viewerId: number) => string;
  /** The viewer's whole set from MySQL (an index rebuild). */
  loadAll: (db: Kysely<Database>, viewerId: number) => Promise<readonly number[]>;
  /** Which of ids are in the viewer's set, from MySQL alone (Redis unusable). */
  loadSome: (db: Kysely<Database>, viewerId: number, ids: readonly number[]) => Promise<ReadonlySet<number>>;
}

/** Which of ids are in a viewer's own set: one cache round trip (or one statement); none when anonymous. */
export function viewerSetThroughCache(
  source: ViewerSetSource,
): (deps: AppDeps, viewerId: number | undefined, ids: readonly number[]) => Promise<Set<number>> {
  return async (deps, viewerId, ids) => {
    if (viewerId === undefined || ids.length === 0) return new Set();
    return deps.cache.indexHas({
      cache: source.cache,
      key: source.key(viewerId),
      ids,
      build: () => source.loadAll(deps.db, viewerId),
      direct: () => source.loadSome(deps.db, viewerId, ids),
    });
  };
}

/** A viewer's set, named as the cache's lookups of several sets at once take it. */
export function viewerSetName(source: ViewerSetSource, viewerId: number): IndexName {
  return { cache: source.cache, key: source.key(viewerId) };
}
