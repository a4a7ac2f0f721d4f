import { setTimeout as sleep } from 'node:timers/promises';
import { cacheFillsCoalesced, cacheHits, cacheMisses } from '../platform/metrics.js';
import type { ValuesLookup } from './cache.js';
import type { ValueSlot } from './commands.js';
import { isMoved, type RedisLink } from './redis-link.js';
import { SingleFlight } from './single-flight.js';
import { jitter, type EngineTimings } from './timings.js';

/** A value a fill produced; `verified` = stored under an unchanged version, so no write raced it. */
interface FillOutcome {
  value: unknown;
  verified: boolean;
}

interface Miss {
  key: string;
  version: string;
  leased: boolean;
}

interface ValuesRead {
  epoch: string;
  hits: Map<string, unknown>;
  misses: Miss[];
}

type Fill = (missing: readonly string[]) => Promise<ReadonlyMap<string, unknown>>;

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Plain values (JSON strings) by logical key: read in one script call, misses filled from MySQL
 * once per process (single-flight) and once per cluster (a lease), stored only under the version
 * the miss saw, so a fill that read MySQL before a write cannot overwrite that write's drop.
 */
export class ValueStore {
  private readonly flights = new SingleFlight<Map<string, FillOutcome>>();

  constructor(
    private readonly link: RedisLink,
    private readonly timings: EngineTimings,
  ) {}

  async getMany<T>(lookup: ValuesLookup<T>): Promise<Map<string, T>> {
    const { cache } = lookup;
    const fill = lookup.fill as Fill;
    const unique = [...new Set(lookup.keys)];
    if (unique.length === 0) return new Map();
    const read = await this.read(unique).catch(() => undefined);
    if (!read) {
      cacheMisses.inc({ cache }, unique.length);
      return new Map(await lookup.fill(unique));
    }
    const result = new Map<string, T>();
    for (const [key, value] of read.hits) result.set(key, value as T);
    if (read.hits.size > 0) cacheHits.inc({ cache }, read.hits.size);
    if (read.misses.length === 0) return result;
    cacheMisses.inc({ cache }, read.misses.length);

    const waits: { key: string; flight: Promise<Map<string, FillOutcome>>; leader: boolean }[] = [];
    const lead: Miss[] = [];
    // Per epoch: a fill of an older epoch cannot store into this one, so it would come back
    // unverified and joining it would only mean waiting before filling again.
    const flightKey = (key: string) => `${cache}\0${read.epoch}\0${key}`;
    for (const miss of read.misses) {
      const flight = this.flights.current(flightKey(miss.key));
      if (flight) {
        cacheFillsCoalesced.inc({ cache });
        waits.push({ key: miss.key, flight, leader: false });
      } else {
        lead.push(miss);
      }
    }
    if (lead.length > 0) {
      const flight = this.flights.start(
        lead.map((m) => flightKey(m.key)),
        () => this.fill(read.epoch, lead, fill),
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
    if (unverified.length > 0) for (const [key, value] of await lookup.fill(unverified)) result.set(key, value);
    return result;
  }

  private async read(keys: readonly string[]): Promise<ValuesRead> {
    let epoch = '';
    const reply = await this.link.run(
      (scripts, scope) => {
        epoch = scope.epoch;
        return scripts.readValues(scope, keys, this.timings.leaseMs);
      },
      { op: 'read', purpose: 'read' },
    );
    if (isMoved(reply)) throw new Error('cache epoch keeps moving');
    const read: ValuesRead = { epoch, hits: new Map(), misses: [] };
    reply.forEach((slot: ValueSlot, i) => {
      const key = keys[i] ?? '';
      if (slot.status === 'hit') {
        const parsed = parseJson(slot.value);
        // An unreadable entry is a miss; the fill will overwrite it.
        if (parsed.ok) read.hits.set(key, parsed.value);
        else read.misses.push({ key, version: '', leased: true });
      } else {
        read.misses.push({ key, version: slot.version, leased: slot.leased });
      }
    });
    return read;
  }

  /** The leader's fill: waits briefly on other replicas' leases, then reads MySQL and stores. */
  private async fill(epoch: string, lead: readonly Miss[], fill: Fill): Promise<Map<string, FillOutcome>> {
    const outcome = new Map<string, FillOutcome>();
    let pending = lead;
    let currentEpoch = epoch;
    for (let poll = 0; poll < this.timings.leasePolls && pending.some((m) => !m.leased); poll += 1) {
      await sleep(this.timings.leasePollMs);
      const again = await this.read(pending.map((m) => m.key)).catch(() => undefined);
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
      await this.store(currentEpoch, pending, new Map()).catch(() => undefined);
      throw err;
    }
    // Keys the fill found nothing for are not stored, but their leases are released with the rest.
    const stored = await this.store(currentEpoch, pending, values).catch(() => new Set<string>());
    for (const m of pending) outcome.set(m.key, { value: values.get(m.key), verified: stored.has(m.key) });
    return outcome;
  }

  /**
   * Stores what the fill found, in the epoch its misses were read in; for every key (found or
   * not) releases our lease, so other lookups do not wait for a result that will never come.
   */
  private async store(epoch: string, misses: readonly Miss[], values: ReadonlyMap<string, unknown>): Promise<Set<string>> {
    const entries = misses.map((m) => {
      const value = values.get(m.key);
      // '' = nothing to store (JSON text is never empty): only the lease is released.
      return {
        logical: m.key,
        version: m.version,
        value: value === undefined ? '' : JSON.stringify(value),
        ttlMs: jitter(this.timings.valueTtlMs),
      };
    });
    const reply = await this.link.run((scripts, scope) => scripts.storeValues(scope, entries), {
      op: 'store',
      purpose: 'read',
      epoch,
    });
    const stored = new Set<string>();
    if (!isMoved(reply)) misses.forEach((m, i) => reply[i] === true && stored.add(m.key));
    return stored;
  }
}
