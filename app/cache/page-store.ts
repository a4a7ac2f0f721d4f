import { cacheFillsCoalesced, cacheHits, cachePageLookups } from '../platform/metrics.js';
import type { IndexName, PageLookup, PersonalPage } from './cache.js';
import type { PageFound } from './commands.js';
import { cacheKeys } from './keys.js';
import { PageCopies, type PageCopy } from './page-copies.js';
import { isMoved, type RedisLink } from './redis-link.js';
import { SingleFlight } from './single-flight.js';
import { jitter, type EngineTimings } from './timings.js';

/**
 * Pages stored at most at once, and the largest page stored: any string names a filter, and
 * made-up ones must not grow Redis; an article's body may be 100,000 characters. Bounded by
 * about MAX_PAGES x MAX_PAGE_BYTES (64 MB); a larger answer is assembled each time.
 */
const MAX_PAGES = 1000;
const MAX_PAGE_BYTES = 64 * 1024;

interface BuiltPage {
  page: Buffer;
}

/**
 * Whole answers of article reads (lists and single articles, the JSON text), so a warm anonymous
 * read is one Redis round trip (a GET and an HGET, no script) and one write of bytes. Beside each
 * page the hash holds its meta field (its digest and the ids its header lists, commands.ts), and
 * the process keeps a copy of the pages it read (PageCopies): a lookup holding a copy asks Redis
 * only for the digest, and the page's kilobytes cross the socket only when they changed.
 * Its lookups are counted in cache_page_lookups_total, not in the entry caches'
 * hit ratio: a page miss is assembled from those caches, and their ratio says what MySQL is spared.
 * Requests that wait on another's build count in cache_fills_coalesced_total{cache="list_page"}. All pages live in one hash that every write touching an article, an index or a
 * profile drops (RedisCache.afterWrite): pages are built from exactly those entries. A page is
 * stored only under the version its miss read, so a build that raced a write is not kept.
 */
export class PageStore {
  private readonly flights = new SingleFlight<BuiltPage>();
  private readonly copies = new PageCopies();

  constructor(
    private readonly link: RedisLink,
    private readonly timings: EngineTimings,
  ) {}

  /**
   * The stored page, or undefined when it is not stored (or Redis cannot say): two native commands
   * in one round trip, no script. Counts a hit; a miss is counted by get(), which builds the page.
   */
  async stored(key: string): Promise<Buffer | undefined> {
    const copy = this.copies.get(key);
    const hit = await this.link.peek(
      (scripts, scope) => scripts.peekPage(scope, cacheKeys.listPages(), key, copy?.digest),
      'page_read',
    );
    const page = hit && this.bytesOf(key, hit, copy);
    if (page === undefined) return undefined;
    cachePageLookups.inc({ result: 'hit' });
    return page;
  }

  /** Cache.storedPersonalPage: hits counted here (the page's and each set's), misses by the full path. */
  async storedPersonal(key: string, sets: readonly IndexName[]): Promise<PersonalPage | undefined> {
    const keys = sets.map((set) => set.key);
    const copy = this.copies.get(key);
    const hit = await this.link.peek(
      (scripts, scope) => scripts.peekPersonalPage(scope, cacheKeys.listPages(), key, keys, copy?.digest),
      'page_read',
    );
    if (hit === undefined) return undefined;
    const page = this.bytesOf(key, hit, copy);
    if (page === undefined) return undefined;
    cachePageLookups.inc({ result: 'hit' });
    for (const set of sets) cacheHits.inc({ cache: set.cache });
    return { page, flags: hit.flags };
  }

  /**
   * A hit's bytes: the copy the lookup named, when Redis said it holds the same; else the bytes
   * Redis sent, copied out of the reply (which may be a view into a much larger socket read) and
   * kept for the next lookup.
   */
  private bytesOf(key: string, hit: PageFound, copy: PageCopy | undefined): Buffer | undefined {
    if (hit.page === undefined) return copy?.page;
    const page = Buffer.from(hit.page);
    this.copies.keep(key, { digest: hit.digest, page });
    return page;
  }

  async get(lookup: PageLookup): Promise<Buffer> {
    const logical = cacheKeys.listPages();
    // The common case, a stored page, costs two native commands; a miss then runs the script,
    // which also reads the version the store will be guarded by.
    const stored = lookup.knownMissing ? undefined : await this.stored(lookup.key);
    if (stored !== undefined) return stored;
    let epoch = '';
    const read = await this.link
      .run(
        (scripts, scope) => {
          epoch = scope.epoch;
          return scripts.readPage(scope, logical, lookup.key);
        },
        { op: 'page_read', purpose: 'read' },
      )
      .catch(() => undefined);
    if (read === undefined || isMoved(read)) {
      cachePageLookups.inc({ result: 'miss' });
      return Buffer.from(await lookup.build());
    }
    if (read.status === 'hit') {
      cachePageLookups.inc({ result: 'hit' });
      return read.page;
    }
    cachePageLookups.inc({ result: 'miss' });
    // One build per page and version: a request that missed at the same version as a running
    // build may use that build even if its store is refused (a write came after both misses):
    // every write acknowledged before this request started had bumped the version before the
    // build's miss, so the build reflects it. After such a write, misses see a new version and
    // start a new build; the old one is no longer joined. No rebuild per waiting request.
    // With the epoch: versions count from nothing again in a new epoch, and a joined build is used
    // even when its store is refused, so a build of the old epoch could answer a read of the new
    // one with what a write Redis did not see left stale (the reason a new epoch was started).
    const flightKey = `${lookup.key}\0${epoch}\0${read.version}`;
    const running = this.flights.current(flightKey);
    if (running) {
      // Stampede protection at work, counted with the entry caches' joins.
      cacheFillsCoalesced.inc({ cache: 'list_page' });
      return (await running).page;
    }
    const built = await this.flights.start([flightKey], async () => {
      const page = await lookup.build();
      if (Buffer.byteLength(page) > MAX_PAGE_BYTES) return { page: Buffer.from(page) };
      await this.link
        .run(
          (scripts, scope) =>
            scripts.storePage(scope, logical, {
              field: lookup.key,
              version: read.version,
              value: page,
              ttlMs: jitter(this.timings.valueTtlMs),
              maxPages: MAX_PAGES,
            }),
          { op: 'page_store', purpose: 'read', epoch },
        )
        .catch(() => false);
      return { page: Buffer.from(page) };
    });
    return built.page;
  }
}
