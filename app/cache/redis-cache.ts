import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { cacheErrors, cacheFillsCoalesced, cacheHits, cacheMisses } from '../metrics.js';
import type { Cache, CacheChange, CacheName, IdPage, IndexOptions } from './cache.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { epochKey, INDEX_COMPLETE_MEMBER } from './keys.js';
import {
  applyWriteScript,
  installIndexScript,
  readIndexScript,
  readValuesScript,
  storeValuesScript,
  type LuaScript,
} from './scripts.js';
import { SingleFlight } from './single-flight.js';

export interface RedisCacheOptions {
  /** Key prefix for this database incarnation (keys.namespaceFor). */
  namespace: string;
  /** Memory bound only: correctness never depends on expiry. */
  valueTtlMs: number;
  /** Versions must outlive any fill that could still be running. */
  versionTtlMs: number;
  /** How long one replica may fill a key before others fill it too. */
  leaseMs: number;
  /** How often and how many times a lookup waits for another replica's fill. */
  leasePollMs: number;
  leasePolls: number;
  breakerFailures: number;
  breakerRetryMs: number;
}

export const DEFAULT_CACHE_OPTIONS: Omit<RedisCacheOptions, 'namespace'> = {
  valueTtlMs: 10 * 60_000,
  versionTtlMs: 60 * 60_000,
  leaseMs: 2000,
  leasePollMs: 20,
  leasePolls: 10,
  breakerFailures: 3,
  breakerRetryMs: 500,
};

/** A value a fill produced; `verified` = stored under an unchanged version, so no write raced it. */
interface FillOutcome {
  value: unknown;
  verified: boolean;
}

interface ValueMiss {
  key: string;
  version: string;
  leased: boolean;
}

interface ValuesRead {
  epoch: string;
  hits: Map<string, unknown>;
  misses: ValueMiss[];
}

type IndexQuery = { mode: 'page'; offset: number; limit: number } | { mode: 'has'; ids: readonly number[] };

type IndexRead = { hit: true; size: number; items: string[] } | { hit: false; epoch: string; version: string; leased: boolean };

/** A finished index rebuild: the ids if we built them, or `ready` if another replica installed it. */
type BuildOutcome = { ids: readonly number[]; verified: boolean } | { ready: true };

class UnusableError extends Error {}

function freshEpoch(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

function jitter(ms: number): number {
  return Math.round(ms * (0.9 + Math.random() * 0.2));
}

function parseJson(text: unknown): { ok: true; value: unknown } | { ok: false } {
  if (typeof text !== 'string') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Cache-aside over Redis that never serves a value older than an acknowledged write:
 * - writes (afterWrite) run after the MySQL commit and before the response: they drop entries,
 *   edit complete indexes in place and bump per-key versions, atomically in one script;
 * - fills read the key's version with the miss and store only if it has not moved, so a fill that
 *   read MySQL before a write cannot overwrite the write's invalidation;
 * - a write that cannot reach Redis opens the breaker and marks the cache dirty; the breaker's
 *   probe starts a new epoch before anything is read from Redis again;
 * - concurrent misses share one fill per process (single-flight) and one per cluster (a lease);
 *   a lookup joins someone else's fill only if that fill turned out verified.
 */
export class RedisCache implements Cache {
  private readonly values = new SingleFlight<Map<string, FillOutcome>>();
  private readonly builds = new SingleFlight<BuildOutcome>();
  private readonly breaker: CircuitBreaker;
  private readonly leaseToken = randomBytes(8).toString('hex');
  private readonly epochKey: string;
  /** Counts failed writes; the probe clears `dirty` only if none failed while it ran. */
  private dirtyGeneration = 0;
  private dirty = false;

  constructor(
    private readonly client: Redis,
    private readonly options: RedisCacheOptions,
    private readonly log: Logger,
  ) {
    this.epochKey = epochKey(options.namespace);
    this.breaker = new CircuitBreaker({
      failureThreshold: options.breakerFailures,
      retryMs: options.breakerRetryMs,
      probe: () => this.probe(),
      onStateChange: (open) =>
        open ? log.warn('Redis unavailable: serving from MySQL') : log.info('Redis available again: caching resumed'),
    });
    client.on('close', () => this.breaker.open());
  }

  /** Called by createCache when the first connection did not come up in time. */
  startDegraded(): void {
    this.breaker.open();
  }

  async getOrFill<T>(cache: CacheName, key: string, fill: () => Promise<T | undefined>): Promise<T | undefined> {
    const values = await this.getManyOrFill<T>(cache, [key], async () => {
      const value = await fill();
      return new Map(value === undefined ? [] : [[key, value]]);
    });
    return values.get(key);
  }

  async getManyOrFill<T>(
    cache: CacheName,
    keys: readonly string[],
    fill: (missing: readonly string[]) => Promise<ReadonlyMap<string, T>>,
  ): Promise<Map<string, T>> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return new Map();
    let read: ValuesRead;
    try {
      read = await this.readValues(unique, 'read');
    } catch {
      cacheMisses.inc({ cache }, unique.length);
      return new Map(await fill(unique));
    }
    const result = new Map<string, T>();
    for (const [key, value] of read.hits) result.set(key, value as T);
    if (read.hits.size > 0) cacheHits.inc({ cache }, read.hits.size);
    if (read.misses.length === 0) return result;
    cacheMisses.inc({ cache }, read.misses.length);

    const waits: { key: string; flight: Promise<Map<string, FillOutcome>>; leader: boolean }[] = [];
    const lead: ValueMiss[] = [];
    for (const miss of read.misses) {
      const flight = this.values.current(`${cache}\0${miss.key}`);
      if (flight) {
        cacheFillsCoalesced.inc({ cache });
        waits.push({ key: miss.key, flight, leader: false });
      } else {
        lead.push(miss);
      }
    }
    if (lead.length > 0) {
      const flight = this.values.start(
        lead.map((m) => `${cache}\0${m.key}`),
        () => this.fillValues(read.epoch, lead, fill as (missing: readonly string[]) => Promise<ReadonlyMap<string, unknown>>),
      );
      for (const m of lead) waits.push({ key: m.key, flight, leader: true });
    }

    const unverified: string[] = [];
    for (const wait of waits) {
      const outcome = (await wait.flight).get(wait.key);
      // A joined fill may have read MySQL before a write we must see: use it only if verified.
      if (!outcome || (!wait.leader && !outcome.verified)) unverified.push(wait.key);
      else if (outcome.value !== undefined) result.set(wait.key, outcome.value as T);
    }
    if (unverified.length > 0) for (const [key, value] of await fill(unverified)) result.set(key, value);
    return result;
  }

  indexPage(
    cache: CacheName,
    key: string,
    offset: number,
    limit: number,
    build: () => Promise<readonly number[]>,
    direct: () => Promise<IdPage>,
    options: IndexOptions = {},
  ): Promise<IdPage> {
    return this.lookupIndex(
      cache,
      key,
      { mode: 'page', offset, limit },
      build,
      direct,
      {
        fromRead: (size, items) => ({ ids: items.filter((m) => m !== INDEX_COMPLETE_MEMBER).map(Number), total: size }),
        fromIds: (ids) => ({ ids: ids.slice(offset, offset + limit), total: ids.length }),
      },
      options,
    );
  }

  async indexHas(
    cache: CacheName,
    key: string,
    ids: readonly number[],
    build: () => Promise<readonly number[]>,
    direct: () => Promise<ReadonlySet<number>>,
  ): Promise<Set<number>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Set();
    return this.lookupIndex(cache, key, { mode: 'has', ids: unique }, build, async () => new Set(await direct()), {
      fromRead: (_size, flags) => new Set(unique.filter((_, i) => flags[i] === '1')),
      fromIds: (all) => {
        const members = new Set(all);
        return new Set(unique.filter((id) => members.has(id)));
      },
    });
  }

  async afterWrite(change: CacheChange): Promise<void> {
    const invalidate = change.invalidate ?? [];
    const add = change.add ?? [];
    const remove = change.remove ?? [];
    const seed = change.seed ?? [];
    const seedIndex = change.seedIndex ?? [];
    if (invalidate.length + add.length + remove.length + seed.length + seedIndex.length === 0) return;
    const args: (string | number)[] = [this.options.namespace, this.options.versionTtlMs, invalidate.length, ...invalidate];
    args.push(add.length, ...add.flatMap((e) => [e.key, e.id]));
    args.push(remove.length, ...remove.flatMap((e) => [e.key, e.id]));
    args.push(seed.length, ...seed.flatMap((e) => [e.key, JSON.stringify(e.value), jitter(this.options.valueTtlMs)]));
    args.push(seedIndex.length, ...seedIndex.flatMap((e) => [e.key, jitter(this.options.valueTtlMs), e.ids.length, ...e.ids]));
    try {
      await this.run(applyWriteScript, args, 'write');
    } catch {
      // Redis may still hold what this write changed: stop reading it until a new epoch starts.
      this.dirty = true;
      this.dirtyGeneration += 1;
      this.breaker.open();
    }
  }

  async close(): Promise<void> {
    this.breaker.stop();
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  /** The breaker's probe: Redis answers, and if a write was missed, a new epoch is started first. */
  private async probe(): Promise<void> {
    if (this.client.status !== 'ready') throw new Error('not connected');
    await this.client.ping();
    if (this.dirty) {
      const generation = this.dirtyGeneration;
      await this.client.set(this.epochKey, freshEpoch());
      if (generation === this.dirtyGeneration) this.dirty = false;
      else throw new Error('another write failed during the probe');
      this.log.info('started a new cache epoch after writes Redis did not see');
    }
  }

  private async run(script: LuaScript, args: readonly (string | number)[], op: string): Promise<unknown> {
    if (!this.breaker.isClosed || this.client.status !== 'ready') {
      cacheErrors.inc({ op });
      throw new UnusableError('Redis unavailable');
    }
    try {
      const reply = await script.run(this.client, this.epochKey, args);
      this.breaker.success();
      return reply;
    } catch (err) {
      cacheErrors.inc({ op });
      this.breaker.failure();
      this.log.debug({ err, op }, 'Redis operation failed');
      throw err;
    }
  }

  private async readValues(keys: readonly string[], op: string): Promise<ValuesRead> {
    const reply = await this.run(
      readValuesScript,
      [this.options.namespace, freshEpoch(), this.leaseToken, this.options.leaseMs, ...keys],
      op,
    );
    if (!Array.isArray(reply) || typeof reply[0] !== 'string') throw new Error('unexpected reply');
    const read: ValuesRead = { epoch: reply[0], hits: new Map(), misses: [] };
    keys.forEach((key, i) => {
      const status: unknown = reply[1 + 2 * i];
      const payload: unknown = reply[2 + 2 * i];
      if (status === 'h') {
        const parsed = parseJson(payload);
        // An unreadable entry is a miss; the fill will overwrite it.
        if (parsed.ok) {
          read.hits.set(key, parsed.value);
          return;
        }
      }
      read.misses.push({ key, version: typeof payload === 'string' && status !== 'h' ? payload : '', leased: status !== 'w' });
    });
    return read;
  }

  /** The leader's fill: waits briefly on other replicas' leases, then reads MySQL and stores. */
  private async fillValues(
    epoch: string,
    lead: readonly ValueMiss[],
    fill: (missing: readonly string[]) => Promise<ReadonlyMap<string, unknown>>,
  ): Promise<Map<string, FillOutcome>> {
    const outcome = new Map<string, FillOutcome>();
    let pending = lead;
    let currentEpoch = epoch;
    for (let poll = 0; poll < this.options.leasePolls && pending.some((m) => !m.leased); poll += 1) {
      await sleep(this.options.leasePollMs);
      const again = await this.readValues(
        pending.map((m) => m.key),
        'read',
      ).catch(() => undefined);
      if (!again) break;
      currentEpoch = again.epoch;
      for (const [key, value] of again.hits) outcome.set(key, { value, verified: true });
      pending = again.misses;
    }
    if (pending.length === 0) return outcome;
    let values: ReadonlyMap<string, unknown>;
    try {
      values = await fill(pending.map((m) => m.key));
    } catch (err) {
      await this.releaseLeases(
        currentEpoch,
        pending.map((m) => m.key),
      );
      throw err;
    }
    // Keys the fill found nothing for are not stored, but their leases are released with the rest.
    const stored = await this.storeValues(currentEpoch, pending, values).catch(() => new Set<string>());
    for (const m of pending) outcome.set(m.key, { value: values.get(m.key), verified: stored.has(m.key) });
    return outcome;
  }

  /** Stores what the fill found; for every key (found or not) releases our lease. */
  private async storeValues(
    epoch: string,
    misses: readonly ValueMiss[],
    values: ReadonlyMap<string, unknown>,
  ): Promise<Set<string>> {
    if (misses.length === 0) return new Set();
    const args: (string | number)[] = [this.options.namespace, epoch, this.leaseToken];
    for (const m of misses) {
      const value = values.get(m.key);
      // '' = nothing to store (JSON text is never empty): only the lease is released.
      args.push(m.key, m.version, value === undefined ? '' : JSON.stringify(value), jitter(this.options.valueTtlMs));
    }
    const reply = await this.run(storeValuesScript, args, 'store');
    const stored = new Set<string>();
    if (Array.isArray(reply)) misses.forEach((m, i) => reply[i] === 1 && stored.add(m.key));
    return stored;
  }

  /**
   * Gives up our leases on keys whose fill stored nothing, so other lookups do not wait for a
   * result that will never come. Best effort: a lease left behind expires after leaseMs.
   */
  private async releaseLeases(epoch: string, keys: readonly string[]): Promise<void> {
    const misses = keys.map((key) => ({ key, version: '', leased: true }));
    await this.storeValues(epoch, misses, new Map()).catch(() => undefined);
  }

  private async readIndex(key: string, query: IndexQuery): Promise<IndexRead & { epoch?: string }> {
    const args: (string | number)[] = [
      this.options.namespace,
      freshEpoch(),
      this.leaseToken,
      this.options.leaseMs,
      key,
      query.mode,
    ];
    if (query.mode === 'page') args.push(query.offset, query.offset + query.limit - 1);
    else args.push(...query.ids);
    const reply = await this.run(readIndexScript, args, 'index_read');
    if (!Array.isArray(reply) || typeof reply[0] !== 'string') throw new Error('unexpected reply');
    if (reply[1] === 'h') {
      const items: unknown = reply[3];
      return { hit: true, size: Number(reply[2]), items: Array.isArray(items) ? items.map(String) : [] };
    }
    return { hit: false, epoch: reply[0], version: typeof reply[2] === 'string' ? reply[2] : '', leased: reply[1] === 'l' };
  }

  private async lookupIndex<R>(
    cache: CacheName,
    key: string,
    query: IndexQuery,
    build: () => Promise<readonly number[]>,
    direct: () => Promise<R>,
    shape: { fromRead: (size: number, items: string[]) => R; fromIds: (ids: readonly number[]) => R },
    options: IndexOptions = {},
  ): Promise<R> {
    let read: IndexRead;
    try {
      read = await this.readIndex(key, query);
    } catch {
      cacheMisses.inc({ cache });
      return direct();
    }
    if (read.hit) {
      cacheHits.inc({ cache });
      return shape.fromRead(read.size, read.items);
    }
    cacheMisses.inc({ cache });
    const flightKey = `${cache}\0${key}`;
    let flight = this.builds.current(flightKey);
    const leader = flight === undefined;
    if (flight) cacheFillsCoalesced.inc({ cache });
    else flight = this.builds.start([flightKey], () => this.buildIndex(key, read, build, options));
    const built = await flight;
    if ('ids' in built) {
      if (leader || built.verified) return shape.fromIds(built.ids);
      return direct();
    }
    // Another replica installed the index while we waited: read it (it is complete by construction).
    try {
      const again = await this.readIndex(key, query);
      if (again.hit) return shape.fromRead(again.size, again.items);
    } catch {
      // fall through to MySQL
    }
    return direct();
  }

  private async buildIndex(
    key: string,
    first: { epoch: string; version: string; leased: boolean },
    build: () => Promise<readonly number[]>,
    options: IndexOptions,
  ): Promise<BuildOutcome> {
    let state = first;
    for (let poll = 0; poll < this.options.leasePolls && !state.leased; poll += 1) {
      await sleep(this.options.leasePollMs);
      const again = await this.readIndex(key, { mode: 'page', offset: 0, limit: 1 }).catch(() => undefined);
      if (!again) break;
      if (again.hit) return { ready: true };
      state = again;
    }
    let ids: readonly number[];
    try {
      ids = await build();
    } catch (err) {
      await this.releaseLeases(state.epoch, [key]);
      throw err;
    }
    if (ids.length === 0 && options.keepEmpty === false) {
      // Not stored: joiners read MySQL themselves (unverified), the lease goes.
      await this.releaseLeases(state.epoch, [key]);
      return { ids, verified: false };
    }
    let verified = false;
    try {
      const args = [
        this.options.namespace,
        state.epoch,
        this.leaseToken,
        key,
        state.version,
        jitter(this.options.valueTtlMs),
        ...ids,
      ];
      verified = (await this.run(installIndexScript, args, 'index_install')) === 1;
    } catch {
      verified = false;
    }
    return { ids, verified };
  }
}

/**
 * Connects with short timeouts and no offline queue, so a command to a missing Redis fails at
 * once instead of waiting for a reconnect that may never come.
 */
export function createRedisClient(url: string, log: Logger): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: 250,
    connectTimeout: 1000,
    retryStrategy: (times) => Math.min(100 * times, 1000),
  });
  let lastLogged = 0;
  client.on('error', (err: Error) => {
    // Every reconnect attempt errors while Redis is down; one line per 10 s is enough.
    const now = Date.now();
    if (now - lastLogged > 10_000) {
      lastLogged = now;
      log.warn({ err: err.message }, 'Redis connection error');
    }
  });
  return client;
}
