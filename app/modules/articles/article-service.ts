import type { Transaction } from 'kysely';
import type { IndexEdit } from '../../cache/cache.js';
import { cacheKeys } from '../../cache/keys.js';
import type { AppDeps } from '../deps.js';
import type { Database } from '../../db/schema.js';
import { inTransaction } from '../../db/transaction.js';
import { isDuplicateKey, isMissingReference } from '../../platform/mysql-errors.js';
import { forbidden, notFound } from '../../platform/errors.js';
import { authorsAsSeenBy } from '../profiles/profile-cache.js';
import type { Profile } from '../profiles/profile-queries.js';
import {
  cachedArticleBody,
  cachedArticleIdBySlug,
  cachedArticles,
  listPageIds,
  pageFromMysql,
  viewerFavorited,
  type CachedArticle,
} from './article-cache.js';
import {
  deleteArticleRow,
  findArticleIdBySlug,
  insertArticle,
  loadFavoritingUserIds,
  loadTags,
  lockArticle,
  addArticleTags,
  replaceArticleTags,
  setFavorite,
  sortTags,
  updateArticleRow,
} from './article-queries.js';
import type { CreateArticleInput, ListArticlesInput, PageInput, UpdateArticleInput } from './article-schemas.js';
import { slugify, uniqueSlug } from './slug.js';
import { requireUserStillExists } from '../users/user-gone.js';

/** RealWorld article as listed (list pages carry no body). */
export interface ArticleSummary {
  slug: string;
  title: string;
  description: string;
  tagList: string[];
  createdAt: string;
  updatedAt: string;
  favorited: boolean;
  favoritesCount: number;
  author: Profile;
}

export interface Article extends ArticleSummary {
  body: string;
}

export interface ArticlePage {
  articles: ArticleSummary[];
  articlesCount: number;
}

/**
 * Turns cached articles into API objects for one viewer: authors (shared entries), favorited and
 * following (the viewer's own sets), each fetched once for the whole page, in parallel.
 * Articles whose author is gone (deleted meanwhile) are left out.
 */
async function present(
  deps: AppDeps,
  articles: readonly CachedArticle[],
  viewerId: number | undefined,
): Promise<{ summary: ArticleSummary; source: CachedArticle }[]> {
  const [authorOf, favorited] = await Promise.all([
    authorsAsSeenBy(
      deps,
      articles.map((a) => a.authorId),
      viewerId,
    ),
    viewerFavorited(
      deps,
      viewerId,
      articles.map((a) => a.id),
    ),
  ]);
  return articles.flatMap((a) => {
    const author = authorOf(a.authorId);
    return author ? [{ summary: summaryOf(a, author, favorited.has(a.id)), source: a }] : [];
  });
}

function summaryOf(article: CachedArticle, author: Profile, favorited: boolean): ArticleSummary {
  return {
    slug: article.slug,
    title: article.title,
    description: article.description,
    tagList: article.tagList,
    createdAt: article.createdAt,
    updatedAt: article.updatedAt,
    favorited,
    favoritesCount: article.favoritesCount,
    author,
  };
}

/** Articles for ids in order, and whether every id had one (if not, the ids came from a stale source). */
async function articlesInOrder(deps: AppDeps, ids: readonly number[]): Promise<{ articles: CachedArticle[]; complete: boolean }> {
  const found = await cachedArticles(deps, ids);
  const articles = ids.flatMap((id) => {
    const article = found.get(id);
    return article ? [article] : [];
  });
  return { articles, complete: articles.length === ids.length };
}

/** A list page and, in the same order, the ids of its articles and their authors (for the page cache). */
export async function listArticlesWithIds(
  deps: AppDeps,
  input: ListArticlesInput,
  viewerId: number | undefined,
): Promise<{ page: ArticlePage; articleIds: number[]; authorIds: number[] }> {
  const filter = { tag: input.tag, author: input.author, favorited: input.favorited };
  const ids = await listPageIds(deps, filter, input.limit, input.offset);
  let found = await articlesInOrder(deps, ids.ids);
  let total = ids.total;
  if (!found.complete && ids.indexKey !== undefined) {
    // The index lists an article that no longer exists (a delete raced an index edit): drop the
    // index so the next read rebuilds it, and answer this one again (from MySQL, or the rebuild).
    await deps.cache.afterWrite({ invalidate: [ids.indexKey] });
    const fresh = await listPageIds(deps, filter, input.limit, input.offset);
    found = await articlesInOrder(deps, fresh.ids);
    total = fresh.total;
  }
  // Otherwise an article deleted between reading the ids and the rows is simply left out.
  const presented = await present(deps, found.articles, viewerId);
  return {
    page: { articles: presented.map((p) => p.summary), articlesCount: total },
    articleIds: presented.map((p) => p.source.id),
    authorIds: presented.map((p) => p.source.authorId),
  };
}

export async function listArticles(deps: AppDeps, input: ListArticlesInput, viewerId: number | undefined): Promise<ArticlePage> {
  return (await listArticlesWithIds(deps, input, viewerId)).page;
}

/** The feed is personal: its ids come from MySQL, its articles and authors from the cache. */
export async function feed(deps: AppDeps, input: PageInput, viewerId: number): Promise<ArticlePage> {
  const page = await pageFromMysql(deps, { followedBy: viewerId }, input.limit, input.offset);
  const { articles } = await articlesInOrder(deps, page.ids);
  const presented = await present(deps, articles, viewerId);
  return { articles: presented.map((p) => p.summary), articlesCount: page.total };
}

/** An article and the ids behind it (for the page cache). */
export async function getArticleWithIds(
  deps: AppDeps,
  slug: string,
  viewerId: number | undefined,
): Promise<{ article: Article; id: number; authorId: number }> {
  const id = await cachedArticleIdBySlug(deps, slug);
  if (id === undefined) throw notFound('article');
  const [found, body] = await Promise.all([cachedArticles(deps, [id]), cachedArticleBody(deps, id)]);
  const article = found.get(id);
  if (article?.slug !== slug || body === undefined) throw notFound('article');
  const [presented] = await present(deps, [article], viewerId);
  if (!presented) throw notFound('article');
  return { article: { ...presented.summary, body }, id, authorId: article.authorId };
}

export async function getArticle(deps: AppDeps, slug: string, viewerId: number | undefined): Promise<Article> {
  return (await getArticleWithIds(deps, slug, viewerId)).article;
}

/**
 * Runs a write transaction with the plain slug first, then with a random suffix while the slug
 * collides. Concurrent posts sharing a new tag can deadlock on the tags unique key (INSERT IGNORE
 * + INSERT ... SELECT, measured in the benchmark); InnoDB rolled the loser back whole, so the
 * transaction is run again a few times rather than once.
 */
async function withFreeSlug<T>(
  deps: AppDeps,
  title: string,
  write: (trx: Transaction<Database>, slug: string) => Promise<T>,
): Promise<T> {
  const base = slugify(title);
  let slug = base;
  for (let tries = 0; ; tries += 1) {
    try {
      return await inTransaction(deps.db, (trx) => write(trx, slug), { deadlockRetries: 5 });
    } catch (err) {
      if (!isDuplicateKey(err, 'articles_slug_unique') || tries >= 5) throw err;
      slug = uniqueSlug(base);
    }
  }
}

/** Entries that show an article (not its list positions). */
function articleEntries(id: number, ...slugs: string[]): string[] {
  return [cacheKeys.article(id), cacheKeys.articleBody(id), ...slugs.map(cacheKeys.articleSlug), cacheKeys.popularTags()];
}

export async function createArticle(deps: AppDeps, authorId: number, input: CreateArticleInput): Promise<Article> {
  const tags = input.tagList ?? [];
  // Millisecond precision, like the DATETIME(3) column, so the seeded entry equals a fill.
  const createdAt = new Date();
  const created = await withFreeSlug(deps, input.title, async (trx, candidate) => {
    const id = await insertArticle(trx, {
      slug: candidate,
      authorId,
      title: input.title,
      description: input.description,
      body: input.body,
      createdAt,
    });
    await addArticleTags(trx, deps.tagIds, id, tags);
    return { id, slug: candidate };
  }).catch(async (err: unknown) => {
    // The author's row is gone (deleted since its token was signed).
    if (isMissingReference(err)) await requireUserStillExists(deps, authorId);
    throw err;
  });
  const { id } = created;
  const indexes = [cacheKeys.indexAll(), cacheKeys.indexAuthor(authorId), ...tags.map(cacheKeys.indexTag)];
  const cached: CachedArticle = {
    id,
    slug: created.slug,
    authorId,
    title: input.title,
    description: input.description,
    tagList: sortTags(tags),
    favoritesCount: 0,
    createdAt: createdAt.toISOString(),
    updatedAt: createdAt.toISOString(),
  };
  // The answer is the article as committed, which is what was just written: only the author's
  // profile is looked up, beside the cache's write script (three round trips fewer per post than
  // reading the article back). Nobody can have favorited it yet, and nobody follows themselves.
  const [, authorOf] = await Promise.all([
    deps.cache.afterWrite({
      invalidate: [cacheKeys.popularTags()],
      add: indexes.map((key) => ({ key, id })),
      // Nobody else knows this article yet, so what we just wrote is what MySQL holds.
      seed: [
        { key: cacheKeys.article(id), value: cached },
        { key: cacheKeys.articleBody(id), value: input.body },
        { key: cacheKeys.articleSlug(created.slug), value: id },
      ],
    }),
    authorsAsSeenBy(deps, [authorId], undefined),
  ]);
  const author = authorOf(authorId);
  // The author's row is gone (deleted since the commit), as a read back would have found.
  if (!author) throw notFound('article');
  return { ...summaryOf(cached, author, false), body: input.body };
}

async function requireOwnArticle(deps: AppDeps, slug: string, userId: number): Promise<number> {
  const article = await findArticleIdBySlug(deps.db, slug);
  if (!article) throw notFound('article');
  if (article.author_id !== userId) throw forbidden('article', 'only the author may change this article');
  return article.id;
}

export async function updateArticle(deps: AppDeps, slug: string, userId: number, input: UpdateArticleInput): Promise<Article> {
  const id = await requireOwnArticle(deps, slug, userId);
  const changes = {
    ...(input.title !== undefined ? { title: input.title } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.body !== undefined ? { body: input.body } : {}),
  };
  // Slug, title and tags are read under the row lock: a parallel update of this article commits
  // either wholly before or wholly after, so oldTags are exactly what this write replaced.
  // The candidate is used only when the title (hence the slug) changes.
  const { oldSlug, newSlug, oldTags } = await withFreeSlug(deps, input.title ?? slug, async (trx, candidate) => {
    const current = await lockArticle(trx, id);
    if (!current) throw notFound('article');
    const oldTags = input.tagList !== undefined ? ((await loadTags(trx, [id])).get(id) ?? []) : [];
    const titleChanged = input.title !== undefined && slugify(input.title) !== slugify(current.title);
    const newSlug = titleChanged ? candidate : current.slug;
    await updateArticleRow(trx, id, newSlug === current.slug ? changes : { ...changes, slug: newSlug });
    if (input.tagList !== undefined) await replaceArticleTags(trx, deps.tagIds, id, input.tagList);
    return { oldSlug: current.slug, newSlug, oldTags };
  });
  const newTags = input.tagList ?? oldTags;
  // Tag indexes whose membership changed are dropped, not edited: two updates' Redis scripts may
  // run in the other order than their commits, and in-place edits applied out of order would leave
  // the article under a tag it no longer has. Drops commute; the next read rebuilds the index.
  const changedTags = [...oldTags.filter((t) => !newTags.includes(t)), ...newTags.filter((t) => !oldTags.includes(t))];
  await deps.cache.afterWrite({
    invalidate: [...articleEntries(id, slug, oldSlug, newSlug), ...changedTags.map(cacheKeys.indexTag)],
  });
  return getArticle(deps, newSlug, userId);
}

export async function deleteArticle(deps: AppDeps, slug: string, userId: number): Promise<void> {
  const id = await requireOwnArticle(deps, slug, userId);
  // Read before the delete cascades them away: every index listing the article must drop it.
  const [tags, favoritedBy] = await Promise.all([loadTags(deps.db, [id]), loadFavoritingUserIds(deps.db, id)]);
  await deleteArticleRow(deps.db, id);
  const indexes = [
    cacheKeys.indexAll(),
    cacheKeys.indexAuthor(userId),
    ...(tags.get(id) ?? []).map(cacheKeys.indexTag),
    ...favoritedBy.map(cacheKeys.indexFavorites),
  ];
  const remove: IndexEdit[] = indexes.map((key) => ({ key, id }));
  await deps.cache.afterWrite({ invalidate: [...articleEntries(id, slug), cacheKeys.comments(id)], remove });
}

export async function favorite(deps: AppDeps, slug: string, userId: number, on: boolean): Promise<Article> {
  const article = await findArticleIdBySlug(deps.db, slug);
  if (!article) throw notFound('article');
  const changed = await setFavorite(deps.db, userId, article.id, on);
  if (on && !changed) {
    // INSERT IGNORE also ignores a foreign key failure: either already favorited, or the user or
    // the article is gone. Neither of the latter may edit the cache or answer favorited: true.
    await requireUserStillExists(deps, userId);
    if (!(await findArticleIdBySlug(deps.db, slug))) throw notFound('article');
  }
  // The user's favorites set is dropped, not edited: a favorite and an unfavorite sent together
  // may reach Redis in the other order than their commits, and ZADD/ZREM applied out of order
  // would leave the set disagreeing with MySQL. Drops commute; the next read rebuilds the set
  // (version-guarded, so a rebuild that read MySQL before this commit is not installed).
  await deps.cache.afterWrite({ invalidate: [cacheKeys.article(article.id), cacheKeys.indexFavorites(userId)] });
  return getArticle(deps, slug, userId);
}
