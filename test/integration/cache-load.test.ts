import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runLoad } from '../../scripts/load.js';
import type { ArticlePage } from '../helpers/realworld.js';
import { startTestService, type TestService } from '../helpers/service.js';

/** The write-up's 5:1 GET:POST scenario, with real MariaDB and Redis. */
describe('cache under the 5:1 scenario', { timeout: 90_000 }, () => {
  let t: TestService;
  before(async () => {
    t = await startTestService();
  });
  after(async () => {
    await t.stop();
  });

  it('when 10 users each post then read the list 5 times, then hits >= 95%, no stale read, < 0.25 SQL per list GET', async () => {
    const result = await runLoad({
      baseUrl: t.baseUrl,
      metricsUrl: t.metricsUrl,
      users: 10,
      concurrency: 10,
      maxDurationMs: 60_000,
    });
    console.log(JSON.stringify(result));
    assert.equal(result.users, 10);
    assert.equal(result.errors, 0);
    assert.equal(result.staleReads, 0, result.staleExamples.join('\n'));
    assert.ok(result.hitRatio !== undefined && result.hitRatio >= 0.95, `hit ratio ${result.hitRatio}`);
    assert.ok(result.sqlPerListGet !== undefined && result.sqlPerListGet < 0.25, `SQL per list GET ${result.sqlPerListGet}`);
  });

  it('when the list is warm, then anonymous list reads issue no SQL at all', async () => {
    await t.api('GET', '/api/articles');
    const sqlBefore = await t.metric('http_request_db_queries_sum', { route: '/api/articles' });
    const countBefore = await t.metric('http_request_db_queries_count', { route: '/api/articles' });
    for (let i = 0; i < 20; i += 1) {
      const res = await t.api<ArticlePage>('GET', '/api/articles');
      assert.equal(res.status, 200);
      assert.equal(res.body.articlesCount, 10);
    }
    assert.equal(await t.metric('http_request_db_queries_count', { route: '/api/articles' }), countBefore + 20);
    assert.equal(await t.metric('http_request_db_queries_sum', { route: '/api/articles' }), sqlBefore);
  });

  it('when readers are logged in, then their favorited/following sets come from the cache too', async () => {
    const result = await runLoad({
      baseUrl: t.baseUrl,
      metricsUrl: t.metricsUrl,
      users: 10,
      authReads: true,
      maxDurationMs: 60_000,
    });
    console.log(JSON.stringify(result));
    assert.equal(result.errors, 0);
    assert.equal(result.staleReads, 0, result.staleExamples.join('\n'));
    assert.ok(result.hitRatio !== undefined && result.hitRatio >= 0.9, `hit ratio ${result.hitRatio}`);
  });
});
