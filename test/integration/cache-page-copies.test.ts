import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Cache, IndexName } from '../../app/cache/cache.js';
import { createCache } from '../../app/cache/create-cache.js';
import { createLogger } from '../../app/platform/log.js';
import { commandsBetween, startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';

/** A page as article-pages stores it: a header line listing the ids per viewer set, then the answer. */
function pageText(answer: string, ids: [number[], number[]]): string {
  return `${JSON.stringify({ ids, at: null })}\n${answer}`;
}

/** An answer large enough that whether its bytes crossed the socket shows in Redis's output bytes. */
const bulky = (marker: string) => JSON.stringify({ marker, filler: 'x'.repeat(20_000) });

/**
 * Each process keeps a copy of the pages it read, and a lookup that holds one asks Redis only for
 * the page's digest. Two caches on one namespace play two replicas: whatever one stores, the other
 * must answer with Redis's bytes, never with a copy Redis no longer holds.
 */
describe('page copies in the process', { timeout: 60_000 }, () => {
  let redis: PrivateRedis;
  let observer: Redis;
  let replicaA: Cache;
  let replicaB: Cache;
  const log = createLogger('silent');

  before(async () => {
    redis = await startPrivateRedis();
    observer = new Redis(redis.url);
    const settings = {
      redisUrl: redis.url,
      databaseName: `copies_${randomBytes(3).toString('hex')}`,
      incarnation: () => Promise.resolve('x'),
    };
    replicaA = await createCache(settings, log);
    replicaB = await createCache(settings, log);
  });
  after(async () => {
    await replicaA.close();
    await replicaB.close();
    observer.disconnect();
    await redis.kill();
  });

  const outputBytes = async () => Number(/total_net_output_bytes:(\d+)/.exec(await observer.info('stats'))?.[1]);
  const store = (cache: Cache, key: string, text: string) => cache.listPage({ key, build: () => Promise.resolve(text) });
  /** Any write that touches what pages are built from drops every page. */
  const dropPages = () => replicaA.afterWrite({ invalidate: ['article:1'] });

  it("when a replica holds a page's current bytes, then its lookup reads only the digest and answers the same bytes", async () => {
    const key = 'anonymous-current';
    const text = pageText(bulky('one'), [[1], [2]]);
    await store(replicaB, key, text);
    assert.equal((await replicaA.storedPage(key))?.toString(), text, 'first lookup: the page from Redis');

    const commandsBefore = await redis.commandCalls();
    const bytesBefore = await outputBytes();
    assert.equal((await replicaA.storedPage(key))?.toString(), text, 'second lookup: the same bytes');
    const sent = (await outputBytes()) - bytesBefore;
    assert.deepEqual(commandsBetween(commandsBefore, await redis.commandCalls()), { get: 1, hget: 1 });
    assert.ok(sent < 2_000, `the page did not cross the socket again (${sent} bytes sent, INFO included)`);
  });

  it('when another replica stored other bytes for a page, then a lookup holding the old copy answers the new bytes', async () => {
    const key = 'anonymous-restored';
    const old = pageText(bulky('old'), [[1], [2]]);
    await store(replicaA, key, old);
    assert.equal((await replicaA.storedPage(key))?.toString(), old);

    await dropPages();
    assert.equal(await replicaA.storedPage(key), undefined, 'dropped: no copy stands in for it');
    const fresh = pageText(bulky('new'), [[1], [2]]);
    await store(replicaB, key, fresh);
    assert.equal((await replicaA.storedPage(key))?.toString(), fresh);
    assert.equal((await replicaA.storedPage(key))?.toString(), fresh, 'and the new bytes are the copy now');
  });

  it("when a signed-in reader's page is held, then the lookup's script returns the flags without the page, and new bytes once they change", async () => {
    const viewerFavorites: IndexName = { cache: 'favorites', key: 'idx:fav:7' };
    const viewerFollowing: IndexName = { cache: 'following', key: 'following:7' };
    const membersOf = async (set: IndexName, ids: number[], members: number[]) => {
      const found = await replicaA.indexHas({
        ...set,
        ids,
        build: () => Promise.resolve(members),
        direct: () => Promise.reject(new Error('Redis is up: not used')),
      });
      assert.deepEqual([...found].sort(), members.filter((id) => ids.includes(id)).sort());
    };
    await membersOf(viewerFavorites, [1], [3, 5]);
    await membersOf(viewerFollowing, [1], [9]);

    const key = 'signed-in';
    const old = pageText(bulky('old'), [
      [3, 4, 5],
      [9, 8],
    ]);
    await store(replicaA, key, old);
    const first = await replicaA.storedPersonalPage(key, [viewerFavorites, viewerFollowing]);
    assert.equal(first?.page.toString(), old);
    assert.deepEqual(first.flags, [
      [true, false, true],
      [true, false],
    ]);

    const bytesBefore = await outputBytes();
    const again = await replicaA.storedPersonalPage(key, [viewerFavorites, viewerFollowing]);
    const sent = (await outputBytes()) - bytesBefore;
    assert.equal(again?.page.toString(), old);
    assert.deepEqual(again.flags, [
      [true, false, true],
      [true, false],
    ]);
    assert.ok(sent < 2_000, `the page did not cross the socket again (${sent} bytes sent, INFO included)`);

    await dropPages();
    const fresh = pageText(bulky('new'), [[5, 6], [8]]);
    await store(replicaB, key, fresh);
    const changed = await replicaA.storedPersonalPage(key, [viewerFavorites, viewerFollowing]);
    assert.equal(changed?.page.toString(), fresh);
    assert.deepEqual(changed.flags, [[true, false], [false]], 'flags for the ids the new page lists');
  });
});
