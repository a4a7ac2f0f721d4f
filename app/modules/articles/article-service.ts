import type { AppDeps } from '../../deps.js';
import { isDuplicateKey } from '../../db/errors.js';
import { forbidden, HttpError, notFound } from '../../http/errors.js';
import { loadFollowing, loadProfileRows, toProfile, type Profile } from '../profiles/profile-queries.js';
import {
  countArticles,
  deleteArticleRow,
  findArticleBySlug,
  findArticleIdBySlug,
  insertArticle,
  listArticleSummaries,
  loadFavorited,
  loadTags,
  setArticleTags,
  setFavorite,
  updateArticleRow,
  type ArticleFilter,
  type ArticleSummaryRow,
} from './article-queries.js';
import type { CreateArticleInput, ListArticlesInput, PageInput, UpdateArticleInput } from './article-schemas.js';
import { slugify, uniqueSlug } from './slug.js';

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
 * Turns article rows into API objects with a fixed number of statements for the whole page:
 * tags, authors, favorited-by-viewer and following-by-viewer, each loaded once, in parallel.
 */
async function present<R extends ArticleSummaryRow>(
  deps: AppDeps,
  rows: readonly R[],
  viewerId: number | undefined,
): Promise<(ArticleSummary & { row: R })[]> {
  const ids = rows.map((r) => r.id);
  const authorIds = rows.map((r) => r.author_id);
  const [tags, authors, favorited, following] = await Promise.all([
    loadTags(deps.db, ids),
    loadProfileRows(deps.db, authorIds),
    loadFavorited(deps.db, viewerId, ids),
    loadFollowing(deps.db, viewerId, authorIds),
  ]);
  return rows.map((row) => {
    const author = authors.get(row.author_id);
    if (!author) throw new HttpError(500, { server: ['article author missing'] });
    return {
      row,
      slug: row.slug,
      title: row.title,
      description: row.description,
      tagList: tags.get(row.id) ?? [],
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      favorited: favorited.has(row.id),
      favoritesCount: row.favorites_count,
      author: toProfile(author, following.has(row.author_id)),
    };
  });
}

async function page(deps: AppDeps, filter: ArticleFilter, input: PageInput, viewerId: number | undefined): Promise<ArticlePage> {
  const [rows, articlesCount] = await Promise.all([
    listArticleSummaries(deps.db, filter, input.limit, input.offset),
    countArticles(deps.db, filter),
  ]);
  const presented = await present(deps, rows, viewerId);
  return { articles: presented.map(({ row: _row, ...article }) => article), articlesCount };
}

export function listArticles(deps: AppDeps, input: ListArticlesInput, viewerId: number | undefined): Promise<ArticlePage> {
  return page(deps, { tag: input.tag, author: input.author, favorited: input.favorited }, input, viewerId);
}

export function feed(deps: AppDeps, input: PageInput, viewerId: number): Promise<ArticlePage> {
  return page(deps, { followedBy: viewerId }, input, viewerId);
}

export async function getArticle(deps: AppDeps, slug: string, viewerId: number | undefined): Promise<Article> {
  const row = await findArticleBySlug(deps.db, slug);
  if (!row) throw notFound('article');
  const [presented] = await present(deps, [row], viewerId);
  if (!presented) throw notFound('article');
  const { row: full, ...summary } = presented;
  return { ...summary, body: full.body };
}

/** Inserts with the plain slug first, then with a random suffix while it collides. */
async function withFreeSlug<T>(title: string, attempt: (slug: string) => Promise<T>): Promise<T> {
  const base = slugify(title);
  let slug = base;
  for (let tries = 0; ; tries += 1) {
    try {
      return await attempt(slug);
    } catch (err) {
      if (!isDuplicateKey(err, 'articles_slug_unique') || tries >= 5) throw err;
      slug = uniqueSlug(base);
    }
  }
}

export async function createArticle(deps: AppDeps, authorId: number, input: CreateArticleInput): Promise<Article> {
  const slug = await withFreeSlug(input.title, (candidate) =>
    deps.db.transaction().execute(async (trx) => {
      const id = await insertArticle(trx, {
        slug: candidate,
        authorId,
        title: input.title,
        description: input.description,
        body: input.body,
      });
      await setArticleTags(trx, id, input.tagList ?? []);
      return candidate;
    }),
  );
  return getArticle(deps, slug, authorId);
}

async function requireOwnArticle(deps: AppDeps, slug: string, userId: number): Promise<number> {
  const article = await findArticleIdBySlug(deps.db, slug);
  if (!article) throw notFound('article');
  if (article.author_id !== userId) throw forbidden('article', 'only the author may change this article');
  return article.id;
}

export async function updateArticle(deps: AppDeps, slug: string, userId: number, input: UpdateArticleInput): Promise<Article> {
  const existing = await findArticleBySlug(deps.db, slug);
  if (!existing) throw notFound('article');
  if (existing.author_id !== userId) throw forbidden('article', 'only the author may change this article');
  const changes = {
    ...(input.title !== undefined ? { title: input.title } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.body !== undefined ? { body: input.body } : {}),
  };
  const titleChanged = input.title !== undefined && slugify(input.title) !== slugify(existing.title);
  const write = (newSlug: string) =>
    deps.db.transaction().execute(async (trx) => {
      await updateArticleRow(trx, existing.id, newSlug === existing.slug ? changes : { ...changes, slug: newSlug });
      if (input.tagList !== undefined) await setArticleTags(trx, existing.id, input.tagList);
      return newSlug;
    });
  const finalSlug = titleChanged && input.title !== undefined ? await withFreeSlug(input.title, write) : await write(existing.slug);
  return getArticle(deps, finalSlug, userId);
}

export async function deleteArticle(deps: AppDeps, slug: string, userId: number): Promise<void> {
  const id = await requireOwnArticle(deps, slug, userId);
  await deleteArticleRow(deps.db, id);
}

export async function favorite(deps: AppDeps, slug: string, userId: number, on: boolean): Promise<Article> {
  const article = await findArticleIdBySlug(deps.db, slug);
  if (!article) throw notFound('article');
  await setFavorite(deps.db, userId, article.id, on);
  return getArticle(deps, slug, userId);
}
