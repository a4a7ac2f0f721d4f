import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { must } from '../helpers/must.js';
import type { ArticleBody, ArticlePage, ProfileBody } from '../helpers/realworld.js';
import { createArticle, registerUser, startTestService, type TestService } from '../helpers/service.js';

/**
 * Favorite/unfavorite and follow/unfollow sent together by one user: their Redis scripts may run in
 * the other order than their MySQL commits. Whatever the order, the cached sets must end up equal
 * to MySQL (they used to be edited in place, ZADD/ZREM, and could keep the loser's state).
 */
describe('rapid toggles by one user', { timeout: 90_000 }, () => {
  let t: TestService;
  let mysql: Pool;
  before(async () => {
    t = await startTestService();
    mysql = createPool({ uri: t.databaseUrl, connectionLimit: 2 });
  });
  after(async () => {
    await mysql.end();
    await t.stop();
  });

  async function count(query: string, params: unknown[]): Promise<number> {
    const [rows] = await mysql.query<RowDataPacket[]>(query, params);
    return Number(must(rows[0], `a row of ${query}`).n);
  }

  const rounds = 25;
  const parallel = 8;

  it('when favorite and unfavorite race, then favorited, favoritesCount and ?favorited= agree with MySQL', async () => {
    const author = await registerUser(t);
    const fan = await registerUser(t);
    const article = await createArticle(t, author.token);
    const path = `/api/articles/${article.slug}/favorite`;
    for (let round = 0; round < rounds; round += 1) {
      // Warm the fan's favorites set so a stale one would be read, not rebuilt.
      assert.equal((await t.api('GET', '/api/articles', { token: fan.token })).status, 200);
      const results = await Promise.all(
        Array.from({ length: parallel }, (_, i) => t.api(i % 2 === round % 2 ? 'POST' : 'DELETE', path, { token: fan.token })),
      );
      assert.ok(
        results.every((r) => r.status === 200),
        `toggle failed: ${results.map((r) => r.status).join(',')}`,
      );
      const inMysql = await count(
        'SELECT COUNT(*) AS n FROM favorites f JOIN users u ON u.id = f.user_id JOIN articles a ON a.id = f.article_id WHERE u.username = ? AND a.slug = ?',
        [fan.username, article.slug],
      );
      const read = await t.api<ArticleBody>('GET', `/api/articles/${article.slug}`, { token: fan.token });
      assert.equal(
        read.body.article.favorited,
        inMysql === 1,
        `round ${round}: favorited is ${read.body.article.favorited}, MySQL has ${inMysql}`,
      );
      assert.equal(read.body.article.favoritesCount, inMysql, `round ${round}: favoritesCount`);
      const listed = await t.api<ArticlePage>('GET', `/api/articles?favorited=${fan.username}`, { token: fan.token });
      assert.equal(
        listed.body.articlesCount,
        inMysql,
        `round ${round}: ?favorited= lists ${listed.body.articlesCount}, MySQL has ${inMysql}`,
      );
      const all = await t.api<ArticlePage>('GET', '/api/articles', { token: fan.token });
      assert.equal(
        must(all.body.articles[0], 'the article on the list page').favorited,
        inMysql === 1,
        `round ${round}: list page favorited`,
      );
    }
  });

  it('when follow and unfollow race, then following agrees with MySQL on profiles and article authors', async () => {
    const author = await registerUser(t);
    const reader = await registerUser(t);
    const article = await createArticle(t, author.token);
    const path = `/api/profiles/${author.username}/follow`;
    for (let round = 0; round < rounds; round += 1) {
      assert.equal((await t.api('GET', `/api/profiles/${author.username}`, { token: reader.token })).status, 200);
      const results = await Promise.all(
        Array.from({ length: parallel }, (_, i) => t.api(i % 2 === round % 2 ? 'POST' : 'DELETE', path, { token: reader.token })),
      );
      assert.ok(
        results.every((r) => r.status === 200),
        `toggle failed: ${results.map((r) => r.status).join(',')}`,
      );
      const inMysql = await count(
        'SELECT COUNT(*) AS n FROM follows f JOIN users a ON a.id = f.follower_id JOIN users b ON b.id = f.followee_id WHERE a.username = ? AND b.username = ?',
        [reader.username, author.username],
      );
      const profile = await t.api<ProfileBody>('GET', `/api/profiles/${author.username}`, { token: reader.token });
      assert.equal(
        profile.body.profile.following,
        inMysql === 1,
        `round ${round}: following is ${profile.body.profile.following}, MySQL has ${inMysql}`,
      );
      const read = await t.api<ArticleBody>('GET', `/api/articles/${article.slug}`, { token: reader.token });
      assert.equal(read.body.article.author.following, inMysql === 1, `round ${round}: article author following`);
    }
  });
});
