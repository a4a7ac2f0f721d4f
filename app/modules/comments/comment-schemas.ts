import { z } from 'zod';
import { envelope, requiredText } from '../fields.js';
import { ProfileSchema } from '../profiles/profile-schemas.js';

export const CreateCommentRequest = envelope('comment', z.object({ body: requiredText(10_000) }, { error: "can't be blank" }));

/** The :id of DELETE /articles/:slug/comments/:id (an INT UNSIGNED). */
export const CommentIdParams = z.object({
  id: z.coerce.number({ error: 'must be a comment id' }).int({ error: 'must be a comment id' }).min(1).max(4_294_967_295),
});

/** What the API answers (RealWorld `Comment`); the OpenAPI document is generated from it. */
export const CommentSchema = z.object({
  id: z.number().int(),
  createdAt: z.string().meta({ format: 'date-time' }),
  updatedAt: z.string().meta({ format: 'date-time' }),
  body: z.string(),
  author: ProfileSchema,
});

export const SingleCommentResponse = z.object({ comment: CommentSchema });

export const MultipleCommentsResponse = z.object({
  comments: z.array(CommentSchema).meta({ description: 'newest first' }),
});
