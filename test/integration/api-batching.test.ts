import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { must } from '../helpers/must.js';
import { createPool } from 'mysql2/promise';
import type { ArticleBody, ArticlePage, CommentsBody } from '../helpers/realworld.js';
import { createArticle, registerUser, startTestService, type RegisteredUser, type TestService } from '../helpers/service.js';

/**
 * The N+1 guard: a page costs the same number of SQL statements whatever its size. Caching is off
 * here (REDIS_URL=""), so every statement the code would issue reaches MySQL and is counted by the
 * service itself (http_request_db_queries).
 */
describe('constant SQL statements per page', () => {
  let t: TestService;
  let reader: RegisteredUser;
  let slugWithComments = '';

  async function statementsFor(path: string, route: string, token?: string): Promise<{ statements: number; items: number }> {
    const before = await t.metric('http_request_db_queries_sum', { route });
    const count = await t.metric('http_request_db_queries_count', { route });
    const res = await t.api<Partial<ArticlePage & CommentsBody>>('GET', path, token ? { token } : {});
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    const after = await t.metric('http_request_db_queries_sum', { route });
    assert.equal(await t.metric('http_request_db_queries_count', { route }), count + 1);
    const items = must(res.body.articles ?? res.body.comments, `articles or comments in ${path}`).length;
    return { statements: after - before, items };
  }

  before(async () => {
    t = await startTestService({ REDIS_URL: '' });
    reader = await registerUser(t);
    const authors = await Promise.all([registerUser(t), registerUser(t), registerUser(t), registerUser(t)]);
    for (const author of authors.slice(0, 3)) {
      await t.api('POST', `/api/profiles/${author.username}/follow`, { token: reader.token });
    }
    for (let i = 0; i < 140; i += 1) {
      const author = must(authors[i % authors.length], 'an author');
      const a = await createArticle(t, author.token, { title: `Article ${i}`, tagList: [`tag${i % 7}`, 'common'] });
      if (i % 3 === 0) await t.api('POST', `/api/articles/${a.slug}/favorite`, { token: reader.token });
      if (i === 0) slugWithComments = a.slug;
    }
    for (let i = 0; i < 100; i += 1) {
      const author = must(authors[i % authors.length], 'an author');
      await t.api('POST', `/api/articles/${slugWithComments}/comments`, {
        token: author.token,
        body: { comment: { body: `c${i}` } },
      });
    }
  });
  after(() => t.stop());

  for (const [name, path, route, auth] of [
    ['anonymous list', '/api/articles?', '/api/articles', false],
    ['signed-in list', '/api/articles?', '/api/articles', true],
    ['tag filter', '/api/articles?tag=common&', '/api/articles', true],
    ['feed', '/api/articles/feed?', '/api/articles/feed', true],
  ] as const) {
    it(`${name}: pages of 1, 20 and 100 articles cost the same number of statements`, async () => {
      const counts: number[] = [];
      for (const limit of [1, 20, 100]) {
        const { statements, items } = await statementsFor(`${path}limit=${limit}`, route, auth ? reader.token : undefined);
        assert.equal(items, limit, `expected a full page of ${limit}`);
        counts.push(statements);
      }
      assert.equal(new Set(counts).size, 1, `statements per page size 1/20/100: ${counts.join('/')}`);
      // ids, total, articles, tags, authors (+ favorited-by-me and following-by-me when signed in).
      const statements = must(counts[0], 'the statement count of a page');
      assert.ok(statements <= (auth ? 7 : 5), `too many statements: ${statements}`);
    });
  }

  it('comments: 1, 20 and 100 comments cost the same number of statements', async () => {
    const counts: number[] = [];
    for (const n of [1, 20, 100]) {
      // A fresh article with n comments each time, so the page really is that size.
      const author = await registerUser(t);
      const a = await createArticle(t, author.token);
      for (let i = 0; i < n; i += 1) {
        await t.api('POST', `/api/articles/${a.slug}/comments`, {
          token: i % 2 ? author.token : reader.token,
          body: { comment: { body: `c${i}` } },
        });
      }
      const { statements, items } = await statementsFor(
        `/api/articles/${a.slug}/comments`,
        '/api/articles/:slug/comments',
        reader.token,
      );
      assert.equal(items, n);
      counts.push(statements);
    }
    assert.equal(new Set(counts).size, 1, `statements for 1/20/100 comments: ${counts.join('/')}`);
  });

  let posts = 0;
  /** Statements one POST /api/articles cost, and the tags its answer and a later read list. */
  async function postStatements(token: string, tagList: string[]): Promise<{ statements: number; tags: string[] }> {
    const labels = { method: 'POST', route: '/api/articles' };
    const before = await t.metric('http_request_db_queries_sum', labels);
    // A title of its own: a slug taken would cost the post a retry, and its statements.
    posts += 1;
    const a = await createArticle(t, token, { title: `Tagged post ${posts}`, tagList });
    const statements = (await t.metric('http_request_db_queries_sum', labels)) - before;
    const read = await t.api<ArticleBody>('GET', `/api/articles/${a.slug}`);
    assert.deepEqual(read.body.article.tagList, a.tagList);
    return { statements, tags: a.tagList };
  }

  it('posts: tags the process has seen committed are linked in one statement, whatever their number', async () => {
    const author = await registerUser(t);
    const few = ['seen-a', 'seen-b'];
    const many = Array.from({ length: 10 }, (_, i) => `seen-many-${i}`);
    const counts = [];
    // New tags: begin, article, upsert, ids, links, commit, then the author's profile for the
    // answer (no cache here). The first post's rows are its own
    // (uncommitted while it ran), so the second post learns their ids; the third uses them.
    for (const tags of [few, few, few, many, many, many]) counts.push((await postStatements(author.token, tags)).statements);
    assert.deepEqual(counts, [7, 7, 5, 7, 7, 5]);
  });

  it('posts: a tag row deleted outside the service is created again and linked, not lost', async () => {
    const author = await registerUser(t);
    const tags = ['kept-tag', 'deleted-tag'];
    for (let i = 0; i < 3; i += 1) await postStatements(author.token, tags);
    const pool = createPool({ uri: t.databaseUrl, connectionLimit: 1 });
    try {
      await pool.query('DELETE FROM tags WHERE name = ?', ['deleted-tag']);
    } finally {
      await pool.end();
    }
    // The remembered id fails its foreign key; the post takes the upsert path and links both.
    const after = await postStatements(author.token, tags);
    assert.deepEqual(after.tags, ['deleted-tag', 'kept-tag']);
    // The failed link, then the six of a post with new tags.
    assert.equal(after.statements, 8);
    assert.equal((await postStatements(author.token, tags)).statements, 7);
  });
});
