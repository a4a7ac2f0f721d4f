import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Cache } from '../../app/cache/cache.js';
import { createCache } from '../../app/cache/create-cache.js';
import { createLogger } from '../../app/platform/log.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';

/** A page as article-pages stores it: a header line listing the ids per viewer set, then the answer. */
const pageText = (answer: string) => `${JSON.stringify({ ids: [[1], [2]], at: null })}\n${answer}`;

/** A promise and the function that resolves it (Node 20 has no Promise.withResolvers). */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { promise, fire: () => fire() };
}

/**
 * Requests that miss a page at the same version share one build of it (PageStore). Versions are
 * per epoch, and a new epoch starts when Redis may hold what a write did not reach: a build of the
 * old epoch must not answer a read of the new one, even at an equal version.
 */
describe('page builds shared by concurrent reads', { timeout: 60_000 }, () => {
  let redis: PrivateRedis;
  let cache: Cache;
  before(async () => {
    redis = await startPrivateRedis();
    cache = await createCache(
      { redisUrl: redis.url, databaseName: 'builds', incarnation: () => Promise.resolve('x') },
      createLogger('silent'),
    );
  });
  after(async () => {
    await cache.close();
    await redis.kill();
  });

  it("when a new epoch starts while a page's build runs, then a read in the new epoch builds again instead of waiting for it", async () => {
    const key = 'epochs';
    const started = signal();
    const released = signal();
    const old = cache.listPage({
      key,
      build: async () => {
        started.fire();
        await released.promise;
        return pageText('built in the old epoch');
      },
    });
    await started.promise;
    // Redis loses everything (a restart): the next read starts a fresh epoch, whose pages have
    // no version yet, as the old epoch's had none when its build began.
    const admin = new Redis(redis.url);
    await admin.flushall();
    admin.disconnect();
    const read = cache.listPage({ key, build: () => Promise.resolve(pageText('built in the new epoch')) });
    const first = await Promise.race([read, sleep(2_000).then(() => 'waited for the old build' as const)]);
    released.fire();
    await old;
    assert.equal(first.toString(), pageText('built in the new epoch'));
  });
});
