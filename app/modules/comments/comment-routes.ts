import Router from '@koa/router';
import type { AppDeps } from '../deps.js';
import { optionalUser, requireUser } from '../../http/auth.js';
import { requestBody } from '../../http/body.js';
import { parseInput } from '../../http/validation.js';
import { CommentIdParams, CreateCommentRequest } from './comment-schemas.js';
import { addComment, commentsForArticle, removeComment } from './comment-service.js';

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
    const { id } = parseInput(CommentIdParams, ctx.params);
    await removeComment(deps, ctx.params.slug ?? '', id, auth.id);
    ctx.status = 204;
  });

  return router;
}
