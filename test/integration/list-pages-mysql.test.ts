import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kysely, MysqlDialect } from 'kysely';
import { NoCache } from '../../app/cache/cache.js';
import { createRawPool } from '../../app/db/database.js';
import type { Database } from '../../app/db/schema.js';
import { listArticles } from '../../app/modules/articles/article-service.js';
import { serviceDeps } from '../helpers/deps.js';
import { createArticle, registerUser, startTestService, type TestService } from '../helpers/service.js';

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
      const page = await listArticles(serviceDeps(withVanishedId, new NoCache()), { limit: 20, offset: 0 }, undefined);
      assert.deepEqual(
        page.articles.map((a) => a.slug),
        created.map((a) => a.slug).reverse(),
      );
    } finally {
      await db.destroy();
    }
  });
});
