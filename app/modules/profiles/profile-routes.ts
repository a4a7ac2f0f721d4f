import Router from '@koa/router';
import type { AppDeps } from '../deps.js';
import { optionalUser, requireUser } from '../../http/auth.js';
import { follow, getProfile, unfollow } from './profile-service.js';

export function profileRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.get('/profiles/:username', async (ctx) => {
    ctx.body = { profile: await getProfile(deps, ctx.params.username ?? '', optionalUser(ctx)?.id) };
  });

  router.post('/profiles/:username/follow', async (ctx) => {
    const auth = requireUser(ctx);
    ctx.body = { profile: await follow(deps, ctx.params.username ?? '', auth.id) };
  });

  router.delete('/profiles/:username/follow', async (ctx) => {
    const auth = requireUser(ctx);
    ctx.body = { profile: await unfollow(deps, ctx.params.username ?? '', auth.id) };
  });

  return router;
}
