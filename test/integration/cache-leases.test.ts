import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { getOne } from '../../app/cache/cache.js';
import { createCache } from '../../app/cache/create-cache.js';
import { createLogger } from '../../app/platform/log.js';
import { flushNamespace, namespaceKeys } from '../helpers/redis-keys.js';
import { REDIS_URL, startTestService, type TestService } from '../helpers/service.js';

/**
 * A fill lease (SET NX PX) lets one replica fill a key while the others wait for it. A lease that
 * outlives its fill makes every later lookup of the key wait (polls) for a result that never comes.
 */
describe('cache fill leases', { timeout: 60_000 }, () => {
  let t: TestService;
  let redis: Redis;
  before(async () => {
    t = await startTestService();
    redis = new Redis(REDIS_URL);
  });
  after(async () => {
    redis.disconnect();
    await t.stop();
  });

  it('when a lookup finds nothing, then its fill lease is released and the next lookup finds no lease to wait on', async () => {
    for (let i = 0; i < 4; i += 1) {
      assert.equal((await t.api('GET', '/api/articles/does-not-exist')).status, 404);
      assert.equal((await t.api('GET', '/api/profiles/nobody-at-all')).status, 404);
      // Checked after every lookup, not only at the end: a lookup waits only on a lease someone
      // else holds, so with none left behind the next one fills at once (its speed is the bench's).
      assert.deepEqual(await namespaceKeys(redis, t.databaseName, ':lease:*'), [], `leases left behind by lookup ${i + 1}`);
    }
  });

  it('when a fill or an index build throws, then its lease is released', async () => {
    const log = createLogger('silent');
    const databaseName = `lease_test_${randomBytes(3).toString('hex')}`;
    const cache = await createCache({ redisUrl: REDIS_URL, databaseName, incarnation: () => Promise.resolve('x') }, log);
    try {
      const boom = () => Promise.reject(new Error('fill failed'));
      await assert.rejects(getOne(cache, 'article', 'article:1', boom), /fill failed/);
      await assert.rejects(
        cache.indexPage({
          cache: 'article_list',
          key: 'idx:all',
          offset: 0,
          limit: 20,
          build: boom,
          direct: () => Promise.resolve({ ids: [], total: 0 }),
        }),
        /fill failed/,
      );
      assert.deepEqual(await namespaceKeys(redis, databaseName, '*lease*'), []);
    } finally {
      await flushNamespace(redis, databaseName);
      await cache.close();
    }
  });
});
