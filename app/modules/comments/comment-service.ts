import type { AppDeps } from '../../deps.js';
import type { CommentRow } from '../../db/schema.js';
import { forbidden, notFound } from '../../http/errors.js';
import { findArticleIdBySlug } from '../articles/article-queries.js';
import { loadFollowing, loadProfileRows, toProfile, type Profile } from '../profiles/profile-queries.js';
import { deleteComment, findComment, insertComment, listComments } from './comment-queries.js';

/** RealWorld `Comment`. */
export interface Comment {
  id: number;
  createdAt: string;
  updatedAt: string;
  body: string;
  author: Profile;
}

async function requireArticleId(deps: AppDeps, slug: string): Promise<number> {
  const article = await findArticleIdBySlug(deps.db, slug);
  if (!article) throw notFound('article');
  return article.id;
}

/** Authors and following-by-viewer for all comments in two statements. */
async function present(deps: AppDeps, rows: readonly CommentRow[], viewerId: number | undefined): Promise<Comment[]> {
  const authorIds = rows.map((r) => r.author_id);
  const [authors, following] = await Promise.all([
    loadProfileRows(deps.db, authorIds),
    loadFollowing(deps.db, viewerId, authorIds),
  ]);
  return rows.flatMap((row) => {
    const author = authors.get(row.author_id);
    if (!author) return [];
    return [
      {
        id: row.id,
        createdAt: row.created_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
        body: row.body,
        author: toProfile(author, following.has(row.author_id)),
      },
    ];
  });
}

export async function commentsForArticle(deps: AppDeps, slug: string, viewerId: number | undefined): Promise<Comment[]> {
  const articleId = await requireArticleId(deps, slug);
  return present(deps, await listComments(deps.db, articleId), viewerId);
}

export async function addComment(deps: AppDeps, slug: string, authorId: number, body: string): Promise<Comment> {
  const articleId = await requireArticleId(deps, slug);
  const row = await insertComment(deps.db, articleId, authorId, body);
  const [comment] = await present(deps, [row], authorId);
  if (!comment) throw notFound('comment');
  return comment;
}

export async function removeComment(deps: AppDeps, slug: string, commentId: number, userId: number): Promise<void> {
  const articleId = await requireArticleId(deps, slug);
  const comment = await findComment(deps.db, articleId, commentId);
  if (!comment) throw notFound('comment');
  if (comment.author_id !== userId) throw forbidden('comment', 'only the author may delete this comment');
  await deleteComment(deps.db, comment.id);
}
