import Router from '@koa/router';
import type { AppDeps } from '../../deps.js';
import { listTagsInUse } from './tag-queries.js';

/** The sidebar shows popular tags; more than this many is noise and an unbounded answer. */
const MAX_TAGS_LISTED = 500;

export function tagRoutes(deps: AppDeps): Router {
  const router = new Router();
  router.get('/tags', async (ctx) => {
    ctx.body = { tags: await listTagsInUse(deps.db, MAX_TAGS_LISTED) };
  });
  return router;
}
