import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kysely, MysqlDialect } from 'kysely';
import { Redis } from 'ioredis';
import { getOne, NoCache, type CacheChange } from '../../app/cache/cache.js';
import { cacheKeys } from '../../app/cache/keys.js';
import { createRawPool } from '../../app/db/database.js';
import type { Database } from '../../app/db/schema.js';
import type { AppDeps } from '../../app/modules/deps.js';
import { listArticles } from '../../app/modules/articles/article-service.js';
import { updateCurrentUser } from '../../app/modules/users/user-service.js';
import { randomBytes } from 'node:crypto';
import { createLogger } from '../../app/platform/log.js';
import { createCache } from '../../app/cache/create-cache.js';
import { ensureDatabase, migrateToLatest } from '../../app/db/migrate.js';
import {
  createArticle,
  dropDatabase,
  MYSQL_SERVER_URL,
  REDIS_URL,
  registerUser,
  startTestService,
  uniqueDatabaseName,
  type TestService,
} from '../helpers/service.js';

/** Redis keys of one test database's namespace (the shared Redis serves other services too). */
async function namespaceKeys(redis: Redis, databaseName: string, suffix: string): Promise<string[]> {
  return redis.keys(`blog:${databaseName}:*${suffix}`);
}

describe('cache namespace when replicas start before the migration', { timeout: 60_000 }, () => {
  const databaseName = uniqueDatabaseName();
  const databaseUrl = `${MYSQL_SERVER_URL}/${databaseName}`;
  const started: TestService[] = [];
  after(async () => {
    for (const t of started) await t.stop();
    await dropDatabase(databaseName);
  });

  it('when one replica started before the schema existed, then a write through another replica is still seen by it', async () => {
    await ensureDatabase(databaseUrl);
    // Started against an empty database, as a pod that comes up before the migration Job.
    const early = await startTestService({ DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'false' });
    started.push(early);
    await migrateToLatest(databaseUrl, createLogger('silent'));
    const late = await startTestService({ DATABASE_URL: databaseUrl });
    started.push(late);

    const author = await registerUser(late);
    const article = await createArticle(late, author.token, { body: 'first body' });
    for (let i = 0; i < 2; i += 1) {
      const read = await early.api('GET', `/api/articles/${article.slug}`);
      assert.equal(read.status, 200);
      assert.equal(read.body.article.body, 'first body');
    }
    const put = await late.api('PUT', `/api/articles/${article.slug}`, {
      token: author.token,
      body: { article: { body: 'second body' } },
    });
    assert.equal(put.status, 200);
    const after = await early.api('GET', `/api/articles/${article.slug}`);
    assert.equal(after.body.article.body, 'second body', 'the early replica served a body older than an acknowledged write');
    assert.equal((await late.api('GET', `/api/articles/${article.slug}`)).body.article.body, 'second body');
  });
});

describe('cache leases and made-up names', { timeout: 60_000 }, () => {
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

  it('when a lookup finds nothing, then its fill lease is released and the next lookup does not wait it out', async () => {
    const timings: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const started = performance.now();
      assert.equal((await t.api('GET', '/api/articles/does-not-exist')).status, 404);
      assert.equal((await t.api('GET', '/api/profiles/nobody-at-all')).status, 404);
      timings.push(Math.round(performance.now() - started));
    }
    assert.deepEqual(
      await namespaceKeys(redis, t.databaseName, ':lease:*'),
      [],
      `leases left behind; timings ${timings.join(',')} ms`,
    );
    // A lease left behind made every later lookup poll 10 x 20 ms before filling.
    assert.ok(
      timings.slice(1).every((ms) => ms < 150),
      `lookups of missing keys took ${timings.join(',')} ms`,
    );
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
      const keys = await namespaceKeys(redis, databaseName, '');
      if (keys.length > 0) await redis.del(...keys);
      await cache.close();
    }
  });

  it('when two updates set different tags in parallel, then the article is listed under its final tags only', async () => {
    const author = await registerUser(t);
    const [tagA, tagB] = [`pa-${randomBytes(3).toString('hex')}`, `pb-${randomBytes(3).toString('hex')}`];
    const article = await createArticle(t, author.token, { tagList: [tagA] });
    const listedUnder = async (tag: string) =>
      (await t.api('GET', `/api/articles?tag=${tag}`)).body.articles.some((a: { slug: string }) => a.slug === article.slug);
    const wrong: string[] = [];
    for (let round = 0; round < 15; round += 1) {
      // Both indexes complete in Redis, so the updates' cache changes apply to them.
      await Promise.all([listedUnder(tagA), listedUnder(tagB)]);
      await Promise.all(
        [tagA, tagB].map((tag) =>
          t.api('PUT', `/api/articles/${article.slug}`, { token: author.token, body: { article: { tagList: [tag] } } }),
        ),
      );
      const final: string[] = (await t.api('GET', `/api/articles/${article.slug}`)).body.article.tagList;
      const [underA, underB] = [await listedUnder(tagA), await listedUnder(tagB)];
      if (underA !== final.includes(tagA) || underB !== final.includes(tagB))
        wrong.push(`round ${round}: tags ${final}, under A ${underA}, under B ${underB}`);
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
    const listed = await t.api('GET', `/api/articles?tag=${tag}`);
    assert.deepEqual(
      listed.body.articles.map((a: { slug: string }) => a.slug),
      [article.slug],
    );
    // A tag in use is indexed as before.
    assert.equal((await namespaceKeys(redis, t.databaseName, `:idx:tag:${tag}`)).filter((k) => !k.includes(':v:')).length, 1);
  });
});

describe('user update when the re-read fails', { timeout: 30_000 }, () => {
  let t: TestService;
  before(async () => {
    t = await startTestService();
  });
  after(() => t.stop());

  it('when the re-read after a committed user update fails, then the profile and both names were already invalidated', async () => {
    const user = await registerUser(t);
    const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool: createRawPool(t.databaseUrl, 2) }) });
    try {
      const { id } = await db.selectFrom('users').select('id').where('username', '=', user.username).executeTakeFirstOrThrow();
      let updated = false;
      // Every statement after the UPDATE fails, as a re-read shed by a saturated pool would.
      const failingAfterUpdate = db.withPlugin({
        transformQuery(args) {
          if (args.node.kind === 'UpdateQueryNode') updated = true;
          else if (updated) throw new Error('re-read shed');
          return args.node;
        },
        transformResult: (args) => Promise.resolve(args.result),
      });
      const invalidated: string[] = [];
      const cache = new NoCache();
      cache.afterWrite = async (change: CacheChange) => {
        invalidated.push(...(change.invalidate ?? []));
      };
      const deps: AppDeps = {
        db: failingAfterUpdate,
        cache,
        tokens: {} as AppDeps['tokens'],
        passwords: {} as AppDeps['passwords'],
        log: createLogger('silent'),
      };
      const renamed = `${user.username}x`;
      await assert.rejects(updateCurrentUser(deps, id, 'token', { username: renamed }), /re-read shed/);
      assert.deepEqual(
        invalidated.sort(),
        [cacheKeys.profile(id), cacheKeys.userId(user.username), cacheKeys.userId(renamed)].sort(),
      );
    } finally {
      await db.destroy();
    }
  });
});

describe('list pages answered by MySQL alone', { timeout: 30_000 }, () => {
  let t: TestService;
  before(async () => {
    t = await startTestService();
  });
  after(() => t.stop());

  it('when an article is deleted between reading the ids and the rows, then the rest of the page is still listed', async () => {
    const author = await registerUser(t);
    const created = [await createArticle(t, author.token), await createArticle(t, author.token)];
    const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool: createRawPool(t.databaseUrl, 2) }) });
    try {
      const pageQueries = new Set<string>();
      // The page's id query also returns an id whose row is gone by the time the rows are read.
      const withVanishedId = db.withPlugin({
        transformQuery(args) {
          if (args.node.kind === 'SelectQueryNode' && args.node.limit !== undefined) pageQueries.add(args.queryId.queryId);
          return args.node;
        },
        transformResult: (args) =>
          Promise.resolve(
            pageQueries.has(args.queryId.queryId)
              ? { ...args.result, rows: [{ id: 4_000_000_000 }, ...args.result.rows] }
              : args.result,
          ),
      });
      const deps: AppDeps = {
        db: withVanishedId,
        cache: new NoCache(),
        tokens: {} as AppDeps['tokens'],
        passwords: {} as AppDeps['passwords'],
        log: createLogger('silent'),
      };
      const page = await listArticles(deps, { limit: 20, offset: 0 }, undefined);
      assert.deepEqual(
        page.articles.map((a) => a.slug),
        created.map((a: { slug: string }) => a.slug).reverse(),
      );
    } finally {
      await db.destroy();
    }
  });
});
