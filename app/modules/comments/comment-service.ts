import { getOne } from '../../cache/cache.js';
import { cacheKeys } from '../../cache/keys.js';
import type { AppDeps } from '../deps.js';
import type { CommentRow } from '../../db/schema.js';
import { forbidden, notFound } from '../../platform/errors.js';
import { cachedArticleIdBySlug } from '../articles/article-cache.js';
import { findArticleIdBySlug } from '../articles/article-queries.js';
import { authorsAsSeenBy } from '../profiles/profile-cache.js';
import type { Profile } from '../profiles/profile-queries.js';
import { isMissingReference } from '../../platform/mysql-errors.js';
import { requireUserStillExists } from '../users/user-gone.js';
import { deleteComment, findComment, insertComment, listComments } from './comment-queries.js';

/** RealWorld `Comment`. */
export interface Comment {
  id: number;
  createdAt: string;
  updatedAt: string;
  body: string;
  author: Profile;
}

/** A comment as cached: JSON-safe, author by id (profiles and "following" are resolved per viewer). */
interface CachedComment {
  id: number;
  authorId: number;
  body: string;
  createdAt: string;
  updatedAt: string;
}

function toCachedComment(row: CommentRow): CachedComment {
  return {
    id: row.id,
    authorId: row.author_id,
    body: row.body,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Writes check against MySQL, never against a cached copy. */
async function requireArticleId(deps: AppDeps, slug: string): Promise<number> {
  const article = await findArticleIdBySlug(deps.db, slug);
  if (!article) throw notFound('article');
  return article.id;
}

/** Authors and following-by-viewer for all comments in one lookup each. */
async function present(deps: AppDeps, comments: readonly CachedComment[], viewerId: number | undefined): Promise<Comment[]> {
  const authorOf = await authorsAsSeenBy(
    deps,
    comments.map((c) => c.authorId),
    viewerId,
  );
  return comments.flatMap((c) => {
    const author = authorOf(c.authorId);
    return author ? [{ id: c.id, createdAt: c.createdAt, updatedAt: c.updatedAt, body: c.body, author }] : [];
  });
}

export async function commentsForArticle(deps: AppDeps, slug: string, viewerId: number | undefined): Promise<Comment[]> {
  const articleId = await cachedArticleIdBySlug(deps, slug);
  if (articleId === undefined) throw notFound('article');
  const comments = await getOne<CachedComment[]>(deps.cache, 'comments', cacheKeys.comments(articleId), async () =>
    (await listComments(deps.db, articleId)).map(toCachedComment),
  );
  return present(deps, comments ?? [], viewerId);
}

export async function addComment(deps: AppDeps, slug: string, authorId: number, body: string): Promise<Comment> {
  const articleId = await requireArticleId(deps, slug);
  const row = await insertComment(deps.db, articleId, authorId, body).catch(async (err: unknown) => {
    // The author (deleted since its token was signed) or the article (deleted meanwhile) is gone.
    if (isMissingReference(err)) {
      await requireUserStillExists(deps, authorId);
      throw notFound('article');
    }
    throw err;
  });
  await deps.cache.afterWrite({ invalidate: [cacheKeys.comments(articleId)] });
  const [comment] = await present(deps, [toCachedComment(row)], authorId);
  if (!comment) throw notFound('comment');
  return comment;
}

export async function removeComment(deps: AppDeps, slug: string, commentId: number, userId: number): Promise<void> {
  const articleId = await requireArticleId(deps, slug);
  const comment = await findComment(deps.db, articleId, commentId);
  if (!comment) throw notFound('comment');
  if (comment.author_id !== userId) throw forbidden('comment', 'only the author may delete this comment');
  await deleteComment(deps.db, comment.id);
  await deps.cache.afterWrite({ invalidate: [cacheKeys.comments(articleId)] });
}
