import { setTimeout as sleep } from 'node:timers/promises';
import { cacheFillsCoalesced, cacheHits, cacheMisses } from '../platform/metrics.js';
import type { IdPage, IndexMembersLookup, IndexPageLookup, IndexSource } from './cache.js';
import type { IndexRead } from './commands.js';
import { INDEX_COMPLETE_MEMBER } from './keys.js';
import { isMoved, type RedisLink } from './redis-link.js';
import { SingleFlight } from './single-flight.js';
import { jitter, type EngineTimings } from './timings.js';

type IndexQuery = { mode: 'page'; start: number; stop: number } | { mode: 'members'; ids: readonly number[] };

/** An index read with the epoch it was read in (a rebuild installs into that epoch). */
type EpochRead = IndexRead & { epoch: string };

/** A finished rebuild: the ids if we built them, or `ready` if another replica installed the index. */
type BuildOutcome = { ids: readonly number[]; verified: boolean } | { ready: true };

/** How a lookup turns an index (from Redis, or rebuilt ids) into its answer. */
interface AnswerShape<R> {
  fromRead: (size: number, items: string[]) => R;
  fromIds: (ids: readonly number[]) => R;
}

/**
 * Id indexes (sorted sets, score = id) that exist in Redis only complete: a rebuild installs one
 * whole with its completion member, so eviction or a restart removes marker and data together.
 * Missing indexes are rebuilt from MySQL once per process (single-flight) and once per cluster (a
 * lease), and installed only if no write touched them since the rebuild read their version.
 */
export class IndexStore {
  private readonly builds = new SingleFlight<BuildOutcome>();

  constructor(
    private readonly link: RedisLink,
    private readonly timings: EngineTimings,
  ) {}

  page(lookup: IndexPageLookup): Promise<IdPage> {
    const { offset, limit } = lookup;
    return this.lookup(lookup, { mode: 'page', start: offset, stop: offset + limit - 1 }, lookup.direct, {
      fromRead: (size, items) => ({ ids: items.filter((m) => m !== INDEX_COMPLETE_MEMBER).map(Number), total: size }),
      fromIds: (ids) => ({ ids: ids.slice(offset, offset + limit), total: ids.length }),
    });
  }

  async members(lookup: IndexMembersLookup): Promise<Set<number>> {
    const ids = [...new Set(lookup.ids)];
    if (ids.length === 0) return new Set();
    // The common case, a complete index, costs two native commands; otherwise the script path
    // below reads it or takes the rebuild lease.
    const hit = await this.link.peek((scripts, scope) => scripts.peekMembers(scope, lookup.key, ids), 'index_read');
    if (hit !== undefined) {
      cacheHits.inc({ cache: lookup.cache });
      return new Set(ids.filter((_, i) => hit.flags[i]));
    }
    return this.lookup(lookup, { mode: 'members', ids }, async () => new Set(await lookup.direct()), {
      fromRead: (_size, flags) => new Set(ids.filter((_, i) => flags[i] === '1')),
      fromIds: (all) => {
        const members = new Set(all);
        return new Set(ids.filter((id) => members.has(id)));
      },
    });
  }

  private async read(key: string, query: IndexQuery): Promise<EpochRead> {
    let epoch = '';
    const reply = await this.link.run(
      (scripts, scope) => {
        epoch = scope.epoch;
        return scripts.readIndex(scope, key, query, this.timings.leaseMs);
      },
      { op: 'index_read', purpose: 'read' },
    );
    if (isMoved(reply)) throw new Error('cache epoch keeps moving');
    return { ...reply, epoch };
  }

  private async lookup<R>(source: IndexSource, query: IndexQuery, direct: () => Promise<R>, shape: AnswerShape<R>): Promise<R> {
    const { cache, key } = source;
    let read: EpochRead;
    try {
      read = await this.read(key, query);
    } catch {
      cacheMisses.inc({ cache });
      return direct();
    }
    if (read.status === 'hit') {
      cacheHits.inc({ cache });
      return shape.fromRead(read.size, read.items);
    }
    cacheMisses.inc({ cache });
    // Per epoch, as value fills are (value-store.ts): an older epoch's rebuild cannot install here.
    const flightKey = `${cache}\0${read.epoch}\0${key}`;
    let flight = this.builds.current(flightKey);
    const leader = flight === undefined;
    if (flight) cacheFillsCoalesced.inc({ cache });
    else flight = this.builds.start([flightKey], () => this.rebuild(source, read));
    const built = await flight;
    if ('ids' in built) {
      // A joined rebuild may have read MySQL before a write we must see: use it only if verified.
      if (leader || built.verified) return shape.fromIds(built.ids);
      return direct();
    }
    // Another replica installed the index while we waited: read it (it is complete by construction).
    try {
      const again = await this.read(key, query);
      if (again.status === 'hit') return shape.fromRead(again.size, again.items);
    } catch {
      // fall through to MySQL
    }
    return direct();
  }

  private async rebuild(source: IndexSource, first: EpochRead): Promise<BuildOutcome> {
    let state = first;
    for (let poll = 0; poll < this.timings.leasePolls && state.status === 'miss' && !state.leased; poll += 1) {
      await sleep(this.timings.leasePollMs);
      const again = await this.read(source.key, { mode: 'page', start: 0, stop: 0 }).catch(() => undefined);
      if (!again) break;
      if (again.status === 'hit') return { ready: true };
      state = again;
    }
    const version = state.status === 'miss' ? state.version : '';
    let ids: readonly number[];
    try {
      ids = await source.build();
    } catch (err) {
      await this.install(source.key, state.epoch, { releaseOnly: true }).catch(() => false);
      throw err;
    }
    if (ids.length === 0 && source.keepEmpty === false) {
      // Not stored: joiners read MySQL themselves (unverified); only the lease is given back.
      await this.install(source.key, state.epoch, { releaseOnly: true }).catch(() => false);
      return { ids, verified: false };
    }
    const verified = await this.install(source.key, state.epoch, { version, ids }).catch(() => false);
    return { ids, verified };
  }

  /** Installs ids as the complete index in `epoch` if its version is still `version`; always gives back our lease. */
  private async install(
    key: string,
    epoch: string,
    rebuild: { version: string; ids: readonly number[] } | { releaseOnly: true },
  ): Promise<boolean> {
    const payload = 'releaseOnly' in rebuild ? rebuild : { ...rebuild, ttlMs: jitter(this.timings.valueTtlMs) };
    const reply = await this.link.run((scripts, scope) => scripts.installIndex(scope, key, payload), {
      op: 'index_install',
      purpose: 'read',
      epoch,
    });
    return reply === true;
  }
}
