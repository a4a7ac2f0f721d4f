import { getOne, type IdPage } from '../../cache/cache.js';
import { cacheKeys } from '../../cache/keys.js';
import { byIdThroughCache, viewerSetThroughCache, type ViewerSetSource } from '../cached.js';
import type { AppDeps } from '../deps.js';
import { cachedUserId } from '../profiles/profile-cache.js';
import {
  countArticles,
  findArticleIdBySlug,
  listArticleIds,
  loadArticleBody,
  loadArticleSummaries,
  loadFavorited,
  loadTags,
  type ArticleFilter,
  type ArticleSummaryRow,
} from './article-queries.js';
import { canBeSlug } from './slug.js';

/**
 * Article reads through the cache: shared entries hold only what every viewer sees (no favorited,
 * no following); list order lives in id indexes (sorted sets) that writes edit in place.
 */

/** An article as cached: JSON-safe and without personal fields. */
export interface CachedArticle {
  id: number;
  slug: string;
  authorId: number;
  title: string;
  description: string;
  tagList: string[];
  favoritesCount: number;
  createdAt: string;
  updatedAt: string;
}

export function toCachedArticle(row: ArticleSummaryRow, tagList: string[]): CachedArticle {
  return {
    id: row.id,
    slug: row.slug,
    authorId: row.author_id,
    title: row.title,
    description: row.description,
    tagList,
    favoritesCount: row.favorites_count,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Articles by id; the missing ones cost two statements (rows, tags) whatever their number. */
export const cachedArticles = byIdThroughCache<CachedArticle>({
  cache: 'article',
  key: cacheKeys.article,
  load: async (db, ids) => {
    const [rows, tags] = await Promise.all([loadArticleSummaries(db, ids), loadTags(db, ids)]);
    return new Map(rows.map((row) => [row.id, toCachedArticle(row, tags.get(row.id) ?? [])]));
  },
});

export async function cachedArticleIdBySlug(deps: AppDeps, slug: string): Promise<number | undefined> {
  // Checked before the cache too: no entry, lease or version key for a name no article can have.
  if (!canBeSlug(slug)) return undefined;
  return getOne<number>(
    deps.cache,
    'article_slug',
    cacheKeys.articleSlug(slug),
    async () => (await findArticleIdBySlug(deps.db, slug))?.id,
  );
}

export function cachedArticleBody(deps: AppDeps, id: number): Promise<string | undefined> {
  return getOne<string>(deps.cache, 'article_body', cacheKeys.articleBody(id), () => loadArticleBody(deps.db, id));
}

/** A viewer's favorites index. */
export const favoritesSet: ViewerSetSource = {
  cache: 'favorites',
  key: cacheKeys.indexFavorites,
  loadAll: (db, viewerId) => listArticleIds(db, { favoritedById: viewerId }),
  loadSome: loadFavorited,
};

/** Which of these articles the viewer favorited, from the viewer's favorites index. */
export const viewerFavorited = viewerSetThroughCache(favoritesSet);

export interface ListFilter {
  tag?: string | undefined;
  author?: string | undefined;
  favorited?: string | undefined;
}

/** The index answering a list filter, or undefined when the filter has no index (combined filters). */
async function indexFor(
  deps: AppDeps,
  filter: ListFilter,
): Promise<{ key: string; sqlFilter: ArticleFilter; keepEmpty?: boolean } | 'empty' | undefined> {
  const given = [filter.tag, filter.author, filter.favorited].filter((v) => v !== undefined).length;
  if (given === 0) return { key: cacheKeys.indexAll(), sqlFilter: {} };
  if (given > 1) return undefined;
  // Any string names a tag index: an empty one (a made-up tag) is not stored, or every distinct
  // ?tag= would hold an entry for the TTL.
  if (filter.tag !== undefined) return { key: cacheKeys.indexTag(filter.tag), sqlFilter: { tag: filter.tag }, keepEmpty: false };
  const username = filter.author ?? filter.favorited ?? '';
  const userId = await cachedUserId(deps, username);
  if (userId === undefined) return 'empty';
  return filter.author !== undefined
    ? { key: cacheKeys.indexAuthor(userId), sqlFilter: { authorId: userId } }
    : { key: cacheKeys.indexFavorites(userId), sqlFilter: { favoritedById: userId } };
}

/** A page answered by MySQL alone (no index, or Redis unusable). */
export async function pageFromMysql(deps: AppDeps, filter: ArticleFilter, limit: number, offset: number): Promise<IdPage> {
  const [ids, total] = await Promise.all([listArticleIds(deps.db, filter, { limit, offset }), countArticles(deps.db, filter)]);
  return { ids, total };
}

/** One page of article ids (newest first) and the filter's total, from an index when there is one. */
export async function listPageIds(
  deps: AppDeps,
  filter: ListFilter,
  limit: number,
  offset: number,
): Promise<IdPage & { indexKey?: string }> {
  const index = await indexFor(deps, filter);
  if (index === 'empty') return { ids: [], total: 0 };
  if (index === undefined) return pageFromMysql(deps, filter, limit, offset);
  const page = await deps.cache.indexPage({
    cache: 'article_list',
    key: index.key,
    offset,
    limit,
    build: () => listArticleIds(deps.db, index.sqlFilter),
    direct: () => pageFromMysql(deps, index.sqlFilter, limit, offset),
    keepEmpty: index.keepEmpty ?? true,
  });
  return { ...page, indexKey: index.key };
}
