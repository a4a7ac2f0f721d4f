import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery, Kysely, MysqlDialect } from 'kysely';
import { createPool } from 'mysql2';
import { createLogger } from '../../app/platform/log.js';
import { migrateToLatest } from '../../app/db/migrate.js';
import type { Database } from '../../app/db/schema.js';
import {
  countArticles,
  findArticleIdBySlug,
  listArticleIds,
  loadArticleBody,
  loadArticleSummaries,
  loadFavorited,
  loadTags,
} from '../../app/modules/articles/article-queries.js';
import { listComments } from '../../app/modules/comments/comment-queries.js';
import {
  findProfileByUsername,
  loadFolloweeIds,
  loadFollowing,
  loadProfileRows,
} from '../../app/modules/profiles/profile-queries.js';
import { listTagsInUse } from '../../app/modules/tags/tag-queries.js';
import { dropDatabase, MYSQL_SERVER_URL, uniqueDatabaseName } from '../helpers/service.js';

/**
 * The read paths production runs must use indexes: no full table scan (EXPLAIN type ALL) on a data
 * set large enough that the optimizer would pick a scan if no index fitted, and no filesort where
 * an index can give the order. The SQL is captured from the real query functions, not retyped.
 * Allowed, and why:
 * - the global list walks the primary key backwards (type "index") and stops after limit+offset
 *   rows: the cheapest plan there is; rebuilding the whole-list index reads every id by design
 *   (the primary key only, once per rebuild, then the index serves from Redis);
 * - the feed sorts only the followed authors' articles, found by range on articles(author_id, id);
 * - tags of a page sort at most page size x 10 rows, found by the article_tags primary key;
 * - popular tags count every article_tags row by design (one answer for all, cached, dropped only
 *   by article writes), walking the tag_id index and sorting the per-tag counts.
 */
/** The columns of a MariaDB EXPLAIN row that the checks read (null where a step has none). */
interface ExplainRow {
  table: string | null;
  type: string | null;
  Extra: string | null;
}

describe('EXPLAIN of the hot paths', () => {
  const name = uniqueDatabaseName('blog_explain');
  const url = `${MYSQL_SERVER_URL}/${name}`;
  let db: Kysely<Database>;
  const captured: CompiledQuery[] = [];

  before(async () => {
    await migrateToLatest(url, createLogger('silent'));
    db = new Kysely<Database>({
      dialect: new MysqlDialect({ pool: createPool({ uri: url, connectionLimit: 2, timezone: 'Z' }) }),
      log: (event) => {
        if (event.level === 'query') captured.push(event.query);
      },
    });
    const now = new Date();
    const users = Array.from({ length: 200 }, (_, i) => ({
      username: `user${i}`,
      email: `user${i}@example.test`,
      password_hash: 'x',
      bio: '',
      image: '',
      created_at: now,
      updated_at: now,
    }));
    await db.insertInto('users').values(users).execute();
    await db
      .insertInto('tags')
      .values(Array.from({ length: 50 }, (_, i) => ({ name: `tag${i}` })))
      .execute();
    for (let chunk = 0; chunk < 5; chunk += 1) {
      const rows = Array.from({ length: 1000 }, (_, j) => {
        const i = chunk * 1000 + j;
        return {
          slug: `article-${i}`,
          author_id: (i % 200) + 1,
          title: `Article ${i}`,
          description: 'd',
          body: 'b',
          created_at: now,
          updated_at: now,
        };
      });
      await db.insertInto('articles').values(rows).execute();
    }
    await db
      .insertInto('article_tags')
      .values(Array.from({ length: 5000 }, (_, i) => ({ article_id: i + 1, tag_id: (i % 50) + 1 })))
      .execute();
    await db
      .insertInto('favorites')
      .values(
        Array.from({ length: 3000 }, (_, i) => ({ user_id: (i % 200) + 1, article_id: ((i * 7) % 5000) + 1, created_at: now })),
      )
      .execute();
    await db
      .insertInto('follows')
      .values(
        Array.from({ length: 400 }, (_, i) => ({
          follower_id: (i % 200) + 1,
          followee_id: ((i * 3 + 1) % 200) + 1,
          created_at: now,
        })).filter((f) => f.follower_id !== f.followee_id),
      )
      .ignore()
      .execute();
    await db
      .insertInto('comments')
      .values(
        Array.from({ length: 3000 }, (_, i) => ({
          article_id: (i % 100) + 1,
          author_id: (i % 200) + 1,
          body: 'c',
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
    for (const table of ['users', 'articles', 'tags', 'article_tags', 'favorites', 'follows', 'comments']) {
      await db.executeQuery(CompiledQuery.raw(`ANALYZE TABLE ${table}`));
    }
  });
  after(async () => {
    await db.destroy();
    await dropDatabase(name);
  });

  async function explainLast(fn: () => Promise<unknown>): Promise<{ sql: string; rows: ExplainRow[] }> {
    captured.length = 0;
    await fn();
    const query = captured.at(-1);
    assert.ok(query, 'a query was issued');
    const result = await db.executeQuery<ExplainRow>(CompiledQuery.raw(`EXPLAIN ${query.sql}`, [...query.parameters]));
    return { sql: query.sql, rows: result.rows };
  }

  const page = { limit: 20, offset: 0 };
  const firstTwenty = Array.from({ length: 20 }, (_, i) => i + 1);
  const cases: [string, () => Promise<unknown>, { allowIndexScan?: boolean; allowSmallSort?: boolean }][] = [
    // A list page answered by MySQL alone (Redis down, or combined filters, which use names).
    ['global list page', () => listArticleIds(db, {}, page), { allowIndexScan: true }],
    ['list page by tag', () => listArticleIds(db, { tag: 'tag7' }, page), {}],
    ['list page by author name', () => listArticleIds(db, { author: 'user3' }, page), {}],
    ['list page by favoriting user name', () => listArticleIds(db, { favorited: 'user5' }, page), {}],
    ['list page by tag and author', () => listArticleIds(db, { tag: 'tag7', author: 'user7' }, page), {}],
    ['feed page', () => listArticleIds(db, { followedBy: 4 }, page), { allowSmallSort: true }],
    // Index rebuilds: every id of one index.
    ['whole-list index rebuild', () => listArticleIds(db, {}), { allowIndexScan: true }],
    ['tag index rebuild', () => listArticleIds(db, { tag: 'tag7' }), {}],
    ['author index rebuild', () => listArticleIds(db, { authorId: 3 }), {}],
    ['favorites index rebuild', () => listArticleIds(db, { favoritedById: 5 }), {}],
    ['followees of a viewer', () => loadFolloweeIds(db, 5), {}],
    ['count by tag', () => countArticles(db, { tag: 'tag7' }), {}],
    ['count by author', () => countArticles(db, { author: 'user3' }), {}],
    ['count feed', () => countArticles(db, { followedBy: 4 }), {}],
    ['count all (a covering index scan is the best there is)', () => countArticles(db, {}), { allowIndexScan: true }],
    // Fills of cached entries.
    ['article id by slug', () => findArticleIdBySlug(db, 'article-42'), {}],
    ['article rows of a page', () => loadArticleSummaries(db, firstTwenty), {}],
    ['article body', () => loadArticleBody(db, 42), {}],
    ['tags of a page', () => loadTags(db, firstTwenty), { allowSmallSort: true }],
    ['favorited by viewer', () => loadFavorited(db, 5, firstTwenty), {}],
    ['following by viewer', () => loadFollowing(db, 5, firstTwenty), {}],
    ['authors of a page', () => loadProfileRows(db, firstTwenty), {}],
    ['profile by username', () => findProfileByUsername(db, 'user3'), {}],
    ['comments of an article', () => listComments(db, 7), {}],
    ['popular tags', () => listTagsInUse(db, 500), { allowIndexScan: true, allowSmallSort: true }],
  ];

  for (const [label, fn, options] of cases) {
    it(`${label}: uses indexes`, async () => {
      const { sql, rows } = await explainLast(fn);
      for (const row of rows) {
        const detail = `${sql}\n${JSON.stringify(row)}`;
        const table = row.table ?? '(no table)';
        assert.notEqual(row.type, 'ALL', `full scan of ${table}: ${detail}`);
        if (!options.allowIndexScan) {
          assert.notEqual(row.type, 'index', `full index scan of ${table}: ${detail}`);
        }
        if (!options.allowSmallSort) assert.ok(!(row.Extra ?? '').includes('filesort'), `filesort: ${detail}`);
      }
    });
  }
});
