import Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { optionalUser, requireUser } from '../../http/auth.js';
import { requestBody } from '../../http/body.js';
import { envelope, requiredText } from '../fields.js';
import { parseInput } from '../../http/validation.js';
import { addComment, commentsForArticle, removeComment } from './comment-service.js';

const CreateCommentRequest = envelope('comment', z.object({ body: requiredText(10_000) }, { error: "can't be blank" }));
const CommentId = z.object({
  id: z.coerce.number({ error: 'must be a comment id' }).int({ error: 'must be a comment id' }).min(1).max(4_294_967_295),
});

export function commentRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.get('/articles/:slug/comments', async (ctx) => {
    ctx.body = { comments: await commentsForArticle(deps, ctx.params.slug ?? '', optionalUser(ctx)?.id) };
  });

  router.post('/articles/:slug/comments', async (ctx) => {
    const auth = requireUser(ctx);
    const { comment } = parseInput(CreateCommentRequest, requestBody(ctx));
    ctx.body = { comment: await addComment(deps, ctx.params.slug ?? '', auth.id, comment.body) };
  });

  router.delete('/articles/:slug/comments/:id', async (ctx) => {
    const auth = requireUser(ctx);
    const { id } = parseInput(CommentId, ctx.params);
    await removeComment(deps, ctx.params.slug ?? '', id, auth.id);
    ctx.status = 204;
  });

  return router;
}
