import type { Kysely } from 'kysely';
import type { CommentRow, Database } from '../../db/schema.js';
import { withOperation } from '../../platform/request-context.js';

/** Comments are not paged by the RealWorld API; this cap keeps one answer bounded. */
export const MAX_COMMENTS_LISTED = 500;

export function listComments(db: Kysely<Database>, articleId: number): Promise<CommentRow[]> {
  return withOperation('comments.list', () =>
    db
      .selectFrom('comments')
      .selectAll()
      .where('article_id', '=', articleId)
      .orderBy('id', 'desc')
      .limit(MAX_COMMENTS_LISTED)
      .execute(),
  );
}

export function findComment(db: Kysely<Database>, articleId: number, id: number): Promise<CommentRow | undefined> {
  return withOperation('comments.by_id', () =>
    db.selectFrom('comments').selectAll().where('id', '=', id).where('article_id', '=', articleId).executeTakeFirst(),
  );
}

export async function insertComment(
  db: Kysely<Database>,
  articleId: number,
  authorId: number,
  body: string,
): Promise<CommentRow> {
  const now = new Date();
  const result = await withOperation('comments.insert', () =>
    db
      .insertInto('comments')
      .values({ article_id: articleId, author_id: authorId, body, created_at: now, updated_at: now })
      .executeTakeFirstOrThrow(),
  );
  return { id: Number(result.insertId), article_id: articleId, author_id: authorId, body, created_at: now, updated_at: now };
}

export async function deleteComment(db: Kysely<Database>, id: number): Promise<void> {
  await withOperation('comments.delete', () => db.deleteFrom('comments').where('id', '=', id).execute());
}
