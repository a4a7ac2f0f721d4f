import type {
  Cache,
  CacheChange,
  IdPage,
  IndexMembersLookup,
  IndexPageLookup,
  PageLookup,
  IndexName,
  PersonalPage,
  ValuesLookup,
} from './cache.js';
import type { WriteOp } from './commands.js';
import { IndexStore } from './index-store.js';
import { cacheKeys, listPagesDependOn } from './keys.js';
import { PageStore } from './page-store.js';
import { isMoved, type RedisLink } from './redis-link.js';
import { jitter, type EngineTimings } from './timings.js';
import { ValueStore } from './value-store.js';

/**
 * Cache-aside over Redis that never serves a value older than an acknowledged write:
 * - writes (afterWrite) run after the MySQL commit and before the response: they drop entries,
 *   edit complete indexes in place and bump per-key versions, atomically in one script;
 * - fills read the key's version with the miss and store only if it has not moved, so a fill that
 *   read MySQL before a write cannot overwrite the write's invalidation (value-store.ts,
 *   index-store.ts);
 * - a write that cannot reach Redis marks the cache dirty; the breaker's probe starts a new epoch
 *   before anything is read from Redis again (redis-link.ts).
 * README.md has the whole argument.
 */
export class RedisCache implements Cache {
  private readonly values: ValueStore;
  private readonly indexes: IndexStore;
  private readonly pages: PageStore;

  constructor(
    private readonly link: RedisLink,
    private readonly timings: EngineTimings,
  ) {
    this.values = new ValueStore(link, timings);
    this.indexes = new IndexStore(link, timings);
    this.pages = new PageStore(link, timings);
  }

  getMany<T>(lookup: ValuesLookup<T>): Promise<Map<string, T>> {
    return this.values.getMany(lookup);
  }

  indexPage(lookup: IndexPageLookup): Promise<IdPage> {
    return this.indexes.page(lookup);
  }

  indexHas(lookup: IndexMembersLookup): Promise<Set<number>> {
    return this.indexes.members(lookup);
  }

  listPage(lookup: PageLookup): Promise<Buffer> {
    return this.pages.get(lookup);
  }

  storedPage(key: string): Promise<Buffer | undefined> {
    return this.pages.stored(key);
  }

  storedPersonalPage(key: string, sets: readonly IndexName[]): Promise<PersonalPage | undefined> {
    return this.pages.storedPersonal(key, sets);
  }

  async afterWrite(change: CacheChange): Promise<void> {
    const ops = this.writeOps(change);
    if (ops.length === 0) return;
    try {
      const reply = await this.link.run((scripts, scope) => scripts.applyWrite(scope, ops, this.timings.versionTtlMs), {
        op: 'write',
        purpose: 'write',
      });
      if (isMoved(reply)) throw new Error('cache epoch keeps moving');
    } catch {
      // Redis may still hold what this write changed: stop reading it until a new epoch starts.
      this.link.markDirty();
    }
  }

  close(): Promise<void> {
    return this.link.close();
  }

  private writeOps(change: CacheChange): WriteOp[] {
    const ttl = () => jitter(this.timings.valueTtlMs);
    const ops: WriteOp[] = [
      ...(change.invalidate ?? []).map((logical): WriteOp => ({ op: 'drop', logical })),
      ...(change.add ?? []).map((e): WriteOp => ({ op: 'add', logical: e.key, id: e.id })),
      ...(change.remove ?? []).map((e): WriteOp => ({ op: 'remove', logical: e.key, id: e.id })),
      ...(change.seed ?? []).map((s): WriteOp => ({ op: 'seed', logical: s.key, value: JSON.stringify(s.value), ttlMs: ttl() })),
      ...(change.seedIndex ?? []).map((s): WriteOp => ({ op: 'seed_index', logical: s.key, ids: s.ids, ttlMs: ttl() })),
    ];
    // Seeds are rows nobody knows yet: no page can show them. Every other edit of what pages are
    // built from drops them all.
    if (ops.some((op) => op.op !== 'seed' && op.op !== 'seed_index' && listPagesDependOn(op.logical))) {
      ops.push({ op: 'drop', logical: cacheKeys.listPages() });
    }
    return ops;
  }
}
