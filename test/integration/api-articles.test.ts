import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { must } from '../helpers/must.js';
import { flushNamespace } from '../helpers/redis-keys.js';
import {
  slugsOf,
  type ArticleBody,
  type ArticlePage,
  type CommentBody,
  type CommentsBody,
  type ErrorBody,
  type TagsBody,
} from '../helpers/realworld.js';
import { createArticle, REDIS_URL, registerUser, startTestService, type TestService } from '../helpers/service.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('articles, favorites, feed and tags', () => {
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

  it('when an article is created, then 201 with slug, sorted tags, timestamps and the author profile', async () => {
    const u = await registerUser(t);
    const res = await t.api<ArticleBody>('POST', '/api/articles', {
      token: u.token,
      body: {
        article: {
          title: 'How to train your dragon',
          description: 'Ever wonder how?',
          body: 'Very carefully.',
          tagList: ['training', 'dragons', 'training'],
        },
      },
    });
    assert.equal(res.status, 201);
    const a = res.body.article;
    assert.match(a.slug, /^how-to-train-your-dragon/);
    assert.deepEqual(a.tagList, ['dragons', 'training']);
    assert.match(a.createdAt, ISO);
    assert.match(a.updatedAt, ISO);
    assert.equal(a.favorited, false);
    assert.equal(a.favoritesCount, 0);
    assert.deepEqual(a.author, { username: u.username, bio: null, image: null, following: false });
    const got = await t.api<ArticleBody>('GET', `/api/articles/${a.slug}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.article.body, 'Very carefully.');
  });

  it('when an article is created, then its answer is what its author reads back, from the cache and from MySQL', async () => {
    const u = await registerUser(t);
    const bio = await t.api('PUT', '/api/user', {
      token: u.token,
      body: { user: { bio: 'writes about dragons', image: 'https://example.test/d.png' } },
    });
    assert.equal(bio.status, 200);
    const res = await t.api<ArticleBody>('POST', '/api/articles', {
      token: u.token,
      body: {
        article: { title: 'Answered as written', description: 'd', body: 'Line one.\n\nLine two. ✓', tagList: ['Zeta', 'alpha'] },
      },
    });
    assert.equal(res.status, 201);
    const cached = await t.api<ArticleBody>('GET', `/api/articles/${res.body.article.slug}`, { token: u.token });
    assert.deepEqual(cached.body, res.body);
    await flushNamespace(redis, t.databaseName);
    const fromMysql = await t.api<ArticleBody>('GET', `/api/articles/${res.body.article.slug}`, { token: u.token });
    assert.deepEqual(fromMysql.body, res.body);
  });

  it('when tags differ in case, then tagList is alphabetical ignoring case, from the cache and from MySQL alike', async () => {
    const u = await registerUser(t);
    const tag = randomBytes(3).toString('hex');
    const tags = [`Zeta${tag}`, `alpha${tag}`, `Beta${tag}`, `beta${tag}`];
    const expected = [`alpha${tag}`, `beta${tag}`, `Beta${tag}`, `Zeta${tag}`];
    const a = await createArticle(t, u.token, { tagList: tags });
    assert.deepEqual(a.tagList, expected);
    await flushNamespace(redis, t.databaseName);
    assert.deepEqual(
      (await t.api<ArticleBody>('GET', `/api/articles/${a.slug}`)).body.article.tagList,
      expected,
      'filled from MySQL',
    );
    const listed = (await t.api<ArticlePage>('GET', `/api/articles?tag=alpha${tag}`)).body;
    assert.deepEqual(must(listed.articles[0], 'the tagged article').tagList, expected, 'from the cache');
  });

  it('when two articles share a title, then their slugs differ', async () => {
    const u = await registerUser(t);
    const a = await createArticle(t, u.token, { title: 'Same title' });
    const b = await createArticle(t, u.token, { title: 'Same title' });
    assert.notEqual(a.slug, b.slug);
    assert.match(b.slug, /^same-title-[0-9a-f]{8}$/);
  });

  it('when the author updates an article, then fields change (slug follows the title); others get 403', async () => {
    const u = await registerUser(t);
    const other = await registerUser(t);
    const a = await createArticle(t, u.token, { title: 'Original title', tagList: ['x'] });
    const body = await t.api<ArticleBody>('PUT', `/api/articles/${a.slug}`, {
      token: u.token,
      body: { article: { body: 'With two hands' } },
    });
    assert.equal(body.status, 200);
    assert.equal(body.body.article.body, 'With two hands');
    assert.equal(body.body.article.slug, a.slug);
    const renamed = await t.api<ArticleBody>('PUT', `/api/articles/${a.slug}`, {
      token: u.token,
      body: { article: { title: 'Brand new title', tagList: ['y', 'b'] } },
    });
    assert.equal(renamed.status, 200);
    assert.match(renamed.body.article.slug, /^brand-new-title/);
    assert.deepEqual(renamed.body.article.tagList, ['b', 'y']);
    assert.equal((await t.api('GET', `/api/articles/${a.slug}`)).status, 404);
    const forbidden = await t.api<ErrorBody>('PUT', `/api/articles/${renamed.body.article.slug}`, {
      token: other.token,
      body: { article: { body: 'mine now' } },
    });
    assert.equal(forbidden.status, 403);
    assert.ok(forbidden.body.errors.article);
    assert.equal((await t.api('DELETE', `/api/articles/${renamed.body.article.slug}`, { token: other.token })).status, 403);
    assert.equal(
      (await t.api('PUT', `/api/articles/${renamed.body.article.slug}`, { body: { article: { body: 'x' } } })).status,
      401,
    );
  });

  it('when the author deletes an article, then 204 and it is gone; unknown slugs are 404', async () => {
    const u = await registerUser(t);
    const a = await createArticle(t, u.token);
    const del = await t.api('DELETE', `/api/articles/${a.slug}`, { token: u.token });
    assert.equal(del.status, 204);
    assert.equal((await t.api('GET', `/api/articles/${a.slug}`)).status, 404);
    assert.equal((await t.api('DELETE', `/api/articles/${a.slug}`, { token: u.token })).status, 404);
  });

  it('when articles are listed, then newest first, without body, filtered by tag, author and favorited, with limit/offset', async () => {
    const alice = await registerUser(t);
    const bob = await registerUser(t);
    const tag = `t${Date.now()}`;
    const a1 = await createArticle(t, alice.token, { tagList: [tag] });
    const a2 = await createArticle(t, bob.token, { tagList: [tag, 'other'] });
    const a3 = await createArticle(t, alice.token);
    const byTag = await t.api<ArticlePage>('GET', `/api/articles?tag=${tag}`);
    assert.equal(byTag.status, 200);
    assert.deepEqual(slugsOf(byTag.body), [a2.slug, a1.slug]);
    assert.equal(byTag.body.articlesCount, 2);
    assert.equal('body' in must(byTag.body.articles[0], 'the newest tagged article'), false);
    const byAuthor = await t.api<ArticlePage>('GET', `/api/articles?author=${alice.username}`);
    assert.deepEqual(slugsOf(byAuthor.body), [a3.slug, a1.slug]);
    await t.api('POST', `/api/articles/${a1.slug}/favorite`, { token: bob.token });
    const fav = await t.api<ArticlePage>('GET', `/api/articles?favorited=${bob.username}`);
    assert.deepEqual(slugsOf(fav.body), [a1.slug]);
    assert.equal(must(fav.body.articles[0], 'the favorited article').favoritesCount, 1);
    const paged = await t.api<ArticlePage>('GET', `/api/articles?author=${alice.username}&limit=1&offset=1`);
    assert.deepEqual(slugsOf(paged.body), [a1.slug]);
    assert.equal(paged.body.articlesCount, 2);
    const none = await t.api<ArticlePage>('GET', '/api/articles?author=nobody-at-all');
    assert.deepEqual(none.body, { articles: [], articlesCount: 0 });
  });

  it('when limit or offset is bad, then 422; a limit above 100 is capped', async () => {
    for (const q of ['limit=0', 'limit=abc', 'offset=-1', 'limit=1.5', 'offset=999999999', 'tag=']) {
      const res = await t.api<ErrorBody>('GET', `/api/articles?${q}`);
      assert.equal(res.status, 422, q);
      assert.ok(res.body.errors, q);
    }
    const twice = await t.api('GET', '/api/articles?tag=a&tag=b');
    assert.equal(twice.status, 422);
    assert.equal((await t.api('GET', '/api/articles?limit=1000')).status, 200);
  });

  it('when a user favorites and unfavorites, then favorited and favoritesCount follow for that viewer only', async () => {
    const author = await registerUser(t);
    const fan = await registerUser(t);
    const a = await createArticle(t, author.token);
    const on = await t.api<ArticleBody>('POST', `/api/articles/${a.slug}/favorite`, { token: fan.token });
    assert.equal(on.status, 200);
    assert.equal(on.body.article.favorited, true);
    assert.equal(on.body.article.favoritesCount, 1);
    const again = await t.api<ArticleBody>('POST', `/api/articles/${a.slug}/favorite`, { token: fan.token });
    assert.equal(again.body.article.favoritesCount, 1, 'favoriting twice counts once');
    assert.equal(
      (await t.api<ArticleBody>('GET', `/api/articles/${a.slug}`, { token: author.token })).body.article.favorited,
      false,
    );
    const off = await t.api<ArticleBody>('DELETE', `/api/articles/${a.slug}/favorite`, { token: fan.token });
    assert.equal(off.body.article.favorited, false);
    assert.equal(off.body.article.favoritesCount, 0);
    const offAgain = await t.api<ArticleBody>('DELETE', `/api/articles/${a.slug}/favorite`, { token: fan.token });
    assert.equal(offAgain.body.article.favoritesCount, 0, 'never negative');
    assert.equal((await t.api('POST', '/api/articles/no-such-slug/favorite', { token: fan.token })).status, 404);
    assert.equal((await t.api('POST', `/api/articles/${a.slug}/favorite`)).status, 401);
  });

  it('when a user follows authors, then the feed shows only their articles, newest first, with following true', async () => {
    const reader = await registerUser(t);
    const followed = await registerUser(t);
    const stranger = await registerUser(t);
    const empty = await t.api<ArticlePage>('GET', '/api/articles/feed', { token: reader.token });
    assert.deepEqual(empty.body, { articles: [], articlesCount: 0 });
    await t.api('POST', `/api/profiles/${followed.username}/follow`, { token: reader.token });
    const f1 = await createArticle(t, followed.token);
    await createArticle(t, stranger.token);
    const f2 = await createArticle(t, followed.token);
    const feed = await t.api<ArticlePage>('GET', '/api/articles/feed', { token: reader.token });
    assert.equal(feed.status, 200);
    assert.deepEqual(slugsOf(feed.body), [f2.slug, f1.slug]);
    assert.equal(feed.body.articlesCount, 2);
    assert.ok(feed.body.articles.every((a) => a.author.following));
    assert.equal((await t.api('GET', '/api/articles/feed')).status, 401);
  });

  it('when article input is invalid, then 422 per field', async () => {
    const u = await registerUser(t);
    const res = await t.api<ErrorBody>('POST', '/api/articles', {
      token: u.token,
      body: { article: { title: '', body: 'x', tagList: 'nope' } },
    });
    assert.equal(res.status, 422);
    assert.ok(res.body.errors.title);
    assert.ok(res.body.errors.description);
    assert.ok(res.body.errors.tagList);
    const long = await t.api('POST', '/api/articles', {
      token: u.token,
      body: { article: { title: 'x'.repeat(201), description: 'd', body: 'b' } },
    });
    assert.equal(long.status, 422);
    const tags = await t.api('POST', '/api/articles', {
      token: u.token,
      body: { article: { title: 't', description: 'd', body: 'b', tagList: Array.from({ length: 11 }, (_, i) => `t${i}`) } },
    });
    assert.equal(tags.status, 422);
    assert.equal(
      (await t.api('POST', '/api/articles', { body: { article: { title: 't', description: 'd', body: 'b' } } })).status,
      401,
    );
  });

  it('when tags are listed, then tags of existing articles appear, most used first', async () => {
    const u = await registerUser(t);
    await createArticle(t, u.token, { tagList: ['popular', 'rare'] });
    await createArticle(t, u.token, { tagList: ['popular'] });
    const res = await t.api<TagsBody>('GET', '/api/tags');
    assert.equal(res.status, 200);
    assert.ok(res.body.tags.indexOf('popular') < res.body.tags.indexOf('rare'));
  });
});

describe('comments', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService();
  });
  after(() => t.stop());

  it('when comments are added, listed and deleted, then shapes and permissions follow the spec', async () => {
    const author = await registerUser(t);
    const commenter = await registerUser(t);
    const a = await createArticle(t, author.token);
    const added = await t.api<CommentBody>('POST', `/api/articles/${a.slug}/comments`, {
      token: commenter.token,
      body: { comment: { body: 'Thank you so much!' } },
    });
    assert.equal(added.status, 200);
    assert.equal(added.body.comment.body, 'Thank you so much!');
    assert.equal(typeof added.body.comment.id, 'number');
    assert.equal(added.body.comment.author.username, commenter.username);
    const second = await t.api<CommentBody>('POST', `/api/articles/${a.slug}/comments`, {
      token: author.token,
      body: { comment: { body: 'second' } },
    });
    const list = await t.api<CommentsBody>('GET', `/api/articles/${a.slug}/comments`);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.comments.map((c) => c.id),
      [second.body.comment.id, added.body.comment.id],
    );
    const forbidden = await t.api('DELETE', `/api/articles/${a.slug}/comments/${added.body.comment.id}`, { token: author.token });
    assert.equal(forbidden.status, 403);
    assert.equal((await t.api('DELETE', `/api/articles/${a.slug}/comments/${added.body.comment.id}`)).status, 401);
    assert.equal(
      (await t.api('DELETE', `/api/articles/${a.slug}/comments/${added.body.comment.id}`, { token: commenter.token })).status,
      204,
    );
    assert.equal(
      (await t.api('DELETE', `/api/articles/${a.slug}/comments/${added.body.comment.id}`, { token: commenter.token })).status,
      404,
    );
    assert.equal((await t.api('DELETE', `/api/articles/${a.slug}/comments/abc`, { token: commenter.token })).status, 422);
    assert.equal((await t.api('GET', '/api/articles/no-such-article/comments')).status, 404);
    const blank = await t.api<ErrorBody>('POST', `/api/articles/${a.slug}/comments`, {
      token: author.token,
      body: { comment: { body: '  ' } },
    });
    assert.equal(blank.status, 422);
    assert.ok(blank.body.errors.body);
  });
  it('when a slug cannot be stored (non-ASCII, too long), then every slug endpoint answers 404, not 500', async () => {
    const u = await registerUser(t);
    for (const slug of ['%C3%A9t%C3%A9', 'caf%C3%A9-au-lait', 'x'.repeat(256), 'a%20b']) {
      const calls: [string, string, unknown?][] = [
        ['GET', `/api/articles/${slug}`],
        ['PUT', `/api/articles/${slug}`, { article: { body: 'x' } }],
        ['DELETE', `/api/articles/${slug}`],
        ['POST', `/api/articles/${slug}/favorite`],
        ['DELETE', `/api/articles/${slug}/favorite`],
        ['GET', `/api/articles/${slug}/comments`],
        ['POST', `/api/articles/${slug}/comments`, { comment: { body: 'hi' } }],
        ['DELETE', `/api/articles/${slug}/comments/1`],
      ];
      for (const [method, path, body] of calls) {
        const res = await t.api(method, path, { token: u.token, ...(body === undefined ? {} : { body }) });
        assert.equal(res.status, 404, `${method} ${path} -> ${res.status} ${res.text}`);
        assert.deepEqual(res.body, { errors: { article: ['not found'] } });
      }
    }
  });
});
