import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { namespaceKeys } from '../helpers/redis-keys.js';
import { slugsOf, type ArticleBody, type ArticlePage } from '../helpers/realworld.js';
import { createArticle, REDIS_URL, registerUser, startTestService, type TestService } from '../helpers/service.js';

/** The cached per-tag indexes (idx:tag:<name>): kept equal to MySQL under racing writes, never stored for unused tags. */
describe('cached tag indexes', { timeout: 60_000 }, () => {
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

  it('when two updates set different tags in parallel, then the article is listed under its final tags only', async () => {
    const author = await registerUser(t);
    const [tagA, tagB] = [`pa-${randomBytes(3).toString('hex')}`, `pb-${randomBytes(3).toString('hex')}`];
    const article = await createArticle(t, author.token, { tagList: [tagA] });
    const listedUnder = async (tag: string) =>
      slugsOf((await t.api<ArticlePage>('GET', `/api/articles?tag=${tag}`)).body).includes(article.slug);
    const wrong: string[] = [];
    for (let round = 0; round < 15; round += 1) {
      // Both indexes complete in Redis, so the updates' cache changes apply to them.
      await Promise.all([listedUnder(tagA), listedUnder(tagB)]);
      await Promise.all(
        [tagA, tagB].map((tag) =>
          t.api('PUT', `/api/articles/${article.slug}`, { token: author.token, body: { article: { tagList: [tag] } } }),
        ),
      );
      const final = (await t.api<ArticleBody>('GET', `/api/articles/${article.slug}`)).body.article.tagList;
      const [underA, underB] = [await listedUnder(tagA), await listedUnder(tagB)];
      if (underA !== final.includes(tagA) || underB !== final.includes(tagB))
        wrong.push(`round ${round}: tags ${final.join(',')}, under A ${underA}, under B ${underB}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('when a tag nobody uses is listed, then no index is stored for it; a later article with that tag is listed', async () => {
    const author = await registerUser(t);
    const tag = `made-up-${randomBytes(4).toString('hex')}`;
    for (let i = 0; i < 2; i += 1) {
      const empty = await t.api('GET', `/api/articles?tag=${tag}`);
      assert.equal(empty.status, 200);
      assert.deepEqual(empty.body, { articles: [], articlesCount: 0 });
    }
    assert.deepEqual(await namespaceKeys(redis, t.databaseName, `:idx:tag:${tag}`), []);
    const article = await createArticle(t, author.token, { tagList: [tag] });
    const listed = await t.api<ArticlePage>('GET', `/api/articles?tag=${tag}`);
    assert.deepEqual(slugsOf(listed.body), [article.slug]);
    // A tag in use is indexed as before.
    assert.equal((await namespaceKeys(redis, t.databaseName, `:idx:tag:${tag}`)).filter((k) => !k.includes(':v:')).length, 1);
  });
});
