import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { ArticlePage } from '../helpers/realworld.js';
import { flushNamespace } from '../helpers/redis-keys.js';
import { createArticle, REDIS_URL, registerUser, startTestService, type TestService } from '../helpers/service.js';

/** SELECT statements so far, from the service's own per-operation statement counts. */
async function selects(t: TestService): Promise<number> {
  const text = await (await fetch(t.metricsUrl)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^db_query_duration_seconds_count\{operation="([^"]+)"\} (\S+)$/.exec(line);
    // Every read operation; writes (insert/update/delete/upsert/clear) and transactions are not SELECTs.
    if (match && !/insert|update|delete|upsert|clear|favorites_count|^other$/.test(match[1] ?? '')) total += Number(match[2]);
  }
  return total;
}

describe('cache stampede', { timeout: 90_000 }, () => {
  let t: TestService;
  let redis: Redis;
  const slugs: string[] = [];
  before(async () => {
    t = await startTestService();
    redis = new Redis(REDIS_URL);
    const author = await registerUser(t);
    for (let i = 0; i < 25; i += 1)
      slugs.push((await createArticle(t, author.token, { title: `Stampede ${i}`, tagList: ['herd'] })).slug);
  });
  after(async () => {
    redis.disconnect();
    await t.stop();
  });

  it('when 200 identical list GETs hit a cold cache at once, then they cost no more SELECTs than two cold GETs', async () => {
    // Cold: a fresh epoch, as after a Redis restart (the seeded entries are gone too).
    const flush = () => flushNamespace(redis, t.databaseName);
    await flush();
    const beforeTwo = await selects(t);
    const first = await t.api<ArticlePage>('GET', '/api/articles?tag=herd');
    const second = await t.api<ArticlePage>('GET', '/api/articles?tag=herd');
    const twoCold = (await selects(t)) - beforeTwo;
    assert.equal(first.status, 200);
    assert.deepEqual(second.body, first.body);
    assert.ok(twoCold > 0, 'a cold GET must read MySQL');

    await flush();
    const beforeHerd = await selects(t);
    const answers = await Promise.all(Array.from({ length: 200 }, () => t.api<ArticlePage>('GET', '/api/articles?tag=herd')));
    const herd = (await selects(t)) - beforeHerd;
    console.log(JSON.stringify({ twoColdGets: twoCold, twoHundredConcurrentGets: herd }));
    assert.ok(herd <= twoCold, `200 concurrent cold GETs issued ${herd} SELECTs, two cold GETs ${twoCold}`);
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      assert.equal(answer.body.articlesCount, 25);
      assert.equal(answer.body.articles.length, 20);
      assert.deepEqual(answer.body, first.body);
    }
    assert.ok((await t.metric('cache_fills_coalesced_total')) > 0);
  });
});
