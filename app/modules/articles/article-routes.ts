import Router from '@koa/router';
import type { Context } from 'koa';
import type { AppDeps } from '../deps.js';
import { optionalUser, requireUser } from '../../http/auth.js';
import { requestBody } from '../../http/body.js';
import { storedPageMissed } from '../../http/stored-page-misses.js';
import { parseInput } from '../../http/validation.js';
import { CreateArticleRequest, ListArticlesQuery, PageQuery, UpdateArticleRequest } from './article-schemas.js';
import { getArticleJson, listArticlesJson, type Reader } from './article-pages.js';
import { createArticle, deleteArticle, favorite, feed, updateArticle } from './article-service.js';

function reader(ctx: Context): Reader {
  return { viewerId: optionalUser(ctx)?.id, storedPageMissed: storedPageMissed(ctx.req) };
}

export function articleRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.get('/articles', async (ctx) => {
    // Already JSON text (the page cache's bytes): no parse and stringify per request.
    ctx.type = 'application/json';
    ctx.body = await listArticlesJson(deps, parseInput(ListArticlesQuery, ctx.query), reader(ctx));
  });

  // Registered before /articles/:slug so "feed" is never read as a slug.
  router.get('/articles/feed', async (ctx) => {
    const auth = requireUser(ctx);
    ctx.body = await feed(deps, parseInput(PageQuery, ctx.query), auth.id);
  });

  router.post('/articles', async (ctx) => {
    const auth = requireUser(ctx);
    const { article } = parseInput(CreateArticleRequest, requestBody(ctx));
    ctx.status = 201;
    ctx.body = { article: await createArticle(deps, auth.id, article) };
  });

  router.get('/articles/:slug', async (ctx) => {
    ctx.type = 'application/json';
    ctx.body = await getArticleJson(deps, ctx.params.slug ?? '', reader(ctx));
  });

  router.put('/articles/:slug', async (ctx) => {
    const auth = requireUser(ctx);
    const { article } = parseInput(UpdateArticleRequest, requestBody(ctx));
    ctx.body = { article: await updateArticle(deps, ctx.params.slug ?? '', auth.id, article) };
  });

  router.delete('/articles/:slug', async (ctx) => {
    const auth = requireUser(ctx);
    await deleteArticle(deps, ctx.params.slug ?? '', auth.id);
    ctx.status = 204;
  });

  router.post('/articles/:slug/favorite', async (ctx) => {
    const auth = requireUser(ctx);
    ctx.body = { article: await favorite(deps, ctx.params.slug ?? '', auth.id, true) };
  });

  router.delete('/articles/:slug/favorite', async (ctx) => {
    const auth = requireUser(ctx);
    ctx.body = { article: await favorite(deps, ctx.params.slug ?? '', auth.id, false) };
  });

  return router;
}
