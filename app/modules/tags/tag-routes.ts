import Router from '@koa/router';
import { cacheKeys } from '../../cache/keys.js';
import type { AppDeps } from '../../deps.js';
import { listTagsInUse } from './tag-queries.js';

/** The sidebar shows popular tags; more than this many is noise and an unbounded answer. */
const MAX_TAGS_LISTED = 500;

export function tagRoutes(deps: AppDeps): Router {
  const router = new Router();
  router.get('/tags', async (ctx) => {
    // Dropped by every article write that can change the tags in use.
    const tags = await deps.cache.getOrFill<string[]>('tags', cacheKeys.popularTags(), () =>
      listTagsInUse(deps.db, MAX_TAGS_LISTED),
    );
    ctx.body = { tags: tags ?? [] };
  });
  return router;
}
