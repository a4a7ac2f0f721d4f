import { sql, type Kysely, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { ArticleRow, Database } from '../../db/schema.js';
import { inTransaction } from '../../db/transaction.js';
import { isMissingReference } from '../../platform/mysql-errors.js';
import { withOperation } from '../../platform/request-context.js';
import type { TagIds } from '../tags/tag-ids.js';
import { canBeSlug } from './slug.js';

/**
 * Every SQL statement the article pages need. A page costs a fixed number of statements whatever
 * its size: one for the page rows, one for the total, then one each for tags, authors (profiles
 * module), favorited-by-me and following-by-me for the whole page. No per-row query anywhere.
 */

export type ArticleSummaryRow = Omit<ArticleRow, 'body'>;

export interface ArticleFilter {
  tag?: string | undefined;
  author?: string | undefined;
  favorited?: string | undefined;
  /** Feed: only authors this user follows. */
  followedBy?: number | undefined;
  /** By id rather than name: the cache's per-author and per-favoriter indexes are keyed by user id. */
  authorId?: number | undefined;
  favoritedById?: number | undefined;
}

const summaryColumns = [
  'a.id',
  'a.slug',
  'a.author_id',
  'a.title',
  'a.description',
  'a.favorites_count',
  'a.created_at',
  'a.updated_at',
] as const;

function applyFilter<O>(
  query: SelectQueryBuilder<Database & { a: Database['articles'] }, 'a', O>,
  filter: ArticleFilter,
): SelectQueryBuilder<Database & { a: Database['articles'] }, 'a', O> {
  let q = query;
  if (filter.author !== undefined) {
    const author = filter.author;
    q = q.where('a.author_id', '=', (eb) => eb.selectFrom('users').select('users.id').where('users.username', '=', author));
  }
  if (filter.tag !== undefined) {
    const tag = filter.tag;
    q = q.where('a.id', 'in', (eb) =>
      eb
        .selectFrom('article_tags')
        .select('article_tags.article_id')
        .where('article_tags.tag_id', '=', (eb2) => eb2.selectFrom('tags').select('tags.id').where('tags.name', '=', tag)),
    );
  }
  if (filter.favorited !== undefined) {
    const favoritedBy = filter.favorited;
    q = q.where('a.id', 'in', (eb) =>
      eb
        .selectFrom('favorites')
        .select('favorites.article_id')
        .where('favorites.user_id', '=', (eb2) =>
          eb2.selectFrom('users').select('users.id').where('users.username', '=', favoritedBy),
        ),
    );
  }
  if (filter.authorId !== undefined) q = q.where('a.author_id', '=', filter.authorId);
  if (filter.favoritedById !== undefined) {
    const userId = filter.favoritedById;
    q = q.where('a.id', 'in', (eb) =>
      eb.selectFrom('favorites').select('favorites.article_id').where('favorites.user_id', '=', userId),
    );
  }
  if (filter.followedBy !== undefined) {
    const follower = filter.followedBy;
    q = q.where('a.author_id', 'in', (eb) =>
      eb.selectFrom('follows').select('follows.followee_id').where('follows.follower_id', '=', follower),
    );
  }
  return q;
}

/** Ids only, newest first: a list index rebuild (no limit) or a page answered without the cache. */
export async function listArticleIds(
  db: Kysely<Database>,
  filter: ArticleFilter,
  page?: { limit: number; offset: number },
): Promise<number[]> {
  const rows = await withOperation(page ? 'articles.list_ids' : 'articles.index_ids', () => {
    const query = applyFilter(db.selectFrom('articles as a').select('a.id'), filter).orderBy('a.id', 'desc');
    return (page ? query.limit(page.limit).offset(page.offset) : query).execute();
  });
  return rows.map((r) => r.id);
}

/** Summary rows for a set of ids (the cache's missing articles), in one statement. */
export function loadArticleSummaries(db: Kysely<Database>, ids: readonly number[]): Promise<ArticleSummaryRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return withOperation('articles.by_ids', () =>
    db
      .selectFrom('articles as a')
      .select(summaryColumns)
      .where('a.id', 'in', [...ids])
      .execute(),
  );
}

export async function loadArticleBody(db: Kysely<Database>, id: number): Promise<string | undefined> {
  const row = await withOperation('articles.body', () =>
    db.selectFrom('articles').select('body').where('id', '=', id).executeTakeFirst(),
  );
  return row?.body;
}

/** Who favorited an article: their favorites indexes must drop it when it is deleted. */
export async function loadFavoritingUserIds(db: Kysely<Database>, articleId: number): Promise<number[]> {
  const rows = await withOperation('favorites.by_article', () =>
    db.selectFrom('favorites').select('user_id').where('article_id', '=', articleId).execute(),
  );
  return rows.map((r) => r.user_id);
}

export async function countArticles(db: Kysely<Database>, filter: ArticleFilter): Promise<number> {
  const row = await withOperation('articles.count', () =>
    applyFilter(
      db.selectFrom('articles as a').select((eb) => eb.fn.countAll<number | string>().as('n')),
      filter,
    ).executeTakeFirst(),
  );
  return Number(row?.n ?? 0);
}

export async function findArticleIdBySlug(
  db: Kysely<Database>,
  slug: string,
): Promise<Pick<ArticleRow, 'id' | 'author_id'> | undefined> {
  if (!canBeSlug(slug)) return undefined;
  return withOperation('articles.id_by_slug', () =>
    db.selectFrom('articles').select(['id', 'author_id']).where('slug', '=', slug).executeTakeFirst(),
  );
}

/**
 * Locks an article row for the rest of the transaction: concurrent updates of one article then run
 * one after the other, each reading what its predecessor committed (slug, title, tags).
 */
export function lockArticle(
  trx: Transaction<Database>,
  id: number,
): Promise<Pick<ArticleRow, 'id' | 'slug' | 'title'> | undefined> {
  return withOperation('articles.lock', () =>
    trx.selectFrom('articles').select(['id', 'slug', 'title']).where('id', '=', id).forUpdate().executeTakeFirst(),
  );
}

const tagCollator = new Intl.Collator('en');

/**
 * The order of an article's tagList, wherever it is built (MySQL fill, write-through): alphabetical
 * ignoring case first ("alpha", "Beta", "zeta"), then UTF-8 byte order, so the order is total.
 */
export function sortTags(tags: readonly string[]): string[] {
  return [...tags].sort((a, b) => tagCollator.compare(a, b) || Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Tag names per article for a whole page, sorted by sortTags. */
export async function loadTags(db: Kysely<Database>, articleIds: readonly number[]): Promise<Map<number, string[]>> {
  const tags = new Map<number, string[]>(articleIds.map((id) => [id, []]));
  if (articleIds.length === 0) return tags;
  const rows = await withOperation('tags.load', () =>
    db
      .selectFrom('article_tags')
      .innerJoin('tags', 'tags.id', 'article_tags.tag_id')
      .select(['article_tags.article_id', 'tags.name'])
      .where('article_tags.article_id', 'in', [...articleIds])
      .orderBy('tags.name')
      .execute(),
  );
  for (const row of rows) tags.get(row.article_id)?.push(row.name);
  for (const [id, names] of tags) if (names.length > 1) tags.set(id, sortTags(names));
  return tags;
}

/** Which of these articles the viewer has favorited, in one statement. */
export async function loadFavorited(db: Kysely<Database>, viewerId: number, articleIds: readonly number[]): Promise<Set<number>> {
  if (articleIds.length === 0) return new Set();
  const rows = await withOperation('favorites.load', () =>
    db
      .selectFrom('favorites')
      .select('article_id')
      .where('user_id', '=', viewerId)
      .where('article_id', 'in', [...articleIds])
      .execute(),
  );
  return new Set(rows.map((r) => r.article_id));
}

export interface NewArticle {
  slug: string;
  authorId: number;
  title: string;
  description: string;
  body: string;
  /** Defaults to now; passed in when the caller needs the exact stored time (cache write-through). */
  createdAt?: Date;
}

export async function insertArticle(trx: Transaction<Database>, article: NewArticle): Promise<number> {
  const now = article.createdAt ?? new Date();
  const result = await withOperation('articles.insert', () =>
    trx
      .insertInto('articles')
      .values({
        slug: article.slug,
        author_id: article.authorId,
        title: article.title,
        description: article.description,
        body: article.body,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow(),
  );
  return Number(result.insertId);
}

/**
 * Adds tags to an article that has none yet (a new article). Tags this process has seen before
 * (tagIds) take one statement; otherwise three whatever the number of tags: the upsert, the ids
 * (remembered for the next post), the links. Names go in sorted so concurrent posts lock shared
 * tag rows in the same order.
 */
export async function addArticleTags(
  trx: Transaction<Database>,
  tagIds: TagIds,
  articleId: number,
  tags: readonly string[],
): Promise<void> {
  if (tags.length === 0) return;
  const names = [...tags].sort();
  const known = tagIds.idsOf(names);
  if (known) {
    try {
      await insertArticleTags(trx, articleId, known);
      return;
    } catch (err) {
      // A tag row deleted outside the service: InnoDB undid only this statement.
      if (!isMissingReference(err)) throw err;
      tagIds.forget(names);
    }
  }
  const upserted = await withOperation('tags.upsert', () =>
    trx
      .insertInto('tags')
      .ignore()
      .values(names.map((name) => ({ name })))
      .executeTakeFirst(),
  );
  // The collation matches names MySQL stores spelled differently ("Rust" finds "rust"): every row
  // found is linked, as the upsert made sure one exists per name.
  const rows = await withOperation('tags.ids', () =>
    // A locking read (MariaDB's spelling of FOR SHARE), as INSERT ... SELECT was: it sees rows
    // committed after this transaction's snapshot, as the upsert did.
    trx
      .selectFrom('tags')
      .select(['id', 'name'])
      .where('name', 'in', names)
      .modifyEnd(sql`lock in share mode`)
      .execute(),
  );
  // Only rows someone else committed: a row this transaction inserted is gone if it rolls back,
  // and its id must not be remembered. The next post with these tags learns them.
  if (Number(upserted.numInsertedOrUpdatedRows ?? 0n) === 0) tagIds.remember(rows.filter((row) => names.includes(row.name)));
  await insertArticleTags(
    trx,
    articleId,
    rows.map((row) => row.id),
  );
}

function insertArticleTags(trx: Transaction<Database>, articleId: number, tagIds: readonly number[]): Promise<unknown> {
  const unique = [...new Set(tagIds)];
  return withOperation('article_tags.insert', () =>
    trx
      .insertInto('article_tags')
      .values(unique.map((tagId) => ({ article_id: articleId, tag_id: tagId })))
      .execute(),
  );
}

/**
 * Replaces an existing article's tags. Only for updates: on a brand-new article the DELETE finds
 * nothing and takes a gap lock at the end of article_tags, and two concurrent posts holding it
 * deadlock on their inserts (seen in the benchmark); new articles use addArticleTags.
 */
export async function replaceArticleTags(
  trx: Transaction<Database>,
  tagIds: TagIds,
  articleId: number,
  tags: readonly string[],
): Promise<void> {
  await withOperation('article_tags.clear', () => trx.deleteFrom('article_tags').where('article_id', '=', articleId).execute());
  await addArticleTags(trx, tagIds, articleId, tags);
}

export async function updateArticleRow(
  trx: Transaction<Database>,
  id: number,
  changes: Partial<Pick<ArticleRow, 'slug' | 'title' | 'description' | 'body'>>,
): Promise<void> {
  await withOperation('articles.update', () =>
    trx
      .updateTable('articles')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', id)
      .execute(),
  );
}

export async function deleteArticleRow(db: Kysely<Database>, id: number): Promise<void> {
  await withOperation('articles.delete', () => db.deleteFrom('articles').where('id', '=', id).execute());
}

/**
 * Adds or removes a favorite and keeps articles.favorites_count in step, in one transaction.
 * Returns whether a row was inserted/deleted.
 */
export async function setFavorite(db: Kysely<Database>, userId: number, articleId: number, on: boolean): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    // The article row first, as every writer of the article does: toggles of one article then run
    // one after the other instead of deadlocking on the favorites row and the counter.
    if (!(await lockArticle(trx, articleId))) return false;
    const changed = on
      ? (
          await withOperation('favorites.insert', () =>
            trx
              .insertInto('favorites')
              .ignore()
              .values({ user_id: userId, article_id: articleId, created_at: new Date() })
              .executeTakeFirst(),
          )
        ).numInsertedOrUpdatedRows
      : (
          await withOperation('favorites.delete', () =>
            trx.deleteFrom('favorites').where('user_id', '=', userId).where('article_id', '=', articleId).executeTakeFirst(),
          )
        ).numDeletedRows;
    if (Number(changed ?? 0) === 0) return false;
    await withOperation('articles.favorites_count', () =>
      trx
        .updateTable('articles')
        .set((eb) => ({ favorites_count: on ? eb('favorites_count', '+', 1) : eb('favorites_count', '-', 1) }))
        .where('id', '=', articleId)
        .execute(),
    );
    return true;
  });
}
