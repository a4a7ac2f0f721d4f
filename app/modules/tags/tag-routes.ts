import Router from '@koa/router';
import type { AppDeps } from '../deps.js';
import { popularTags } from './tag-service.js';

export function tagRoutes(deps: AppDeps): Router {
  const router = new Router();
  router.get('/tags', async (ctx) => {
    ctx.body = { tags: await popularTags(deps) };
  });
  return router;
}
