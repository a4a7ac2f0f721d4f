import Router from '@koa/router';
import Koa from 'koa';
import { authMiddleware } from './http/auth.js';
import { jsonBody } from './http/body.js';
import { errorMiddleware } from './http/errors.js';
import { healthRoutes, type Readiness } from './http/health.js';
import { observeMiddleware } from './http/observe.js';
import { articleRoutes } from './modules/articles/article-routes.js';
import { commentRoutes } from './modules/comments/comment-routes.js';
import { profileRoutes } from './modules/profiles/profile-routes.js';
import { tagRoutes } from './modules/tags/tag-routes.js';
import type { AppDeps } from './modules/deps.js';
import { userRoutes } from './modules/users/user-routes.js';

export interface AppOptions {
  bodyLimitBytes: number;
  readiness: Readiness;
}

/** The public HTTP app: /api/* (RealWorld), /livez, /readyz. Metrics are served on their own port. */
export function createApp(deps: AppDeps, options: AppOptions): Koa {
  const app = new Koa();
  app.proxy = true;
  // Errors are answered and logged by errorMiddleware; keep Koa from printing stacks to stderr.
  app.silent = true;

  const api = new Router({ prefix: '/api' });
  // Router-level, so unknown paths answer 404 before any token or body is looked at.
  api.use(authMiddleware(deps.tokens));
  api.use(jsonBody(options.bodyLimitBytes));
  for (const routes of [userRoutes, profileRoutes, articleRoutes, commentRoutes, tagRoutes]) {
    const router = routes(deps);
    api.use(router.routes());
  }

  const health = healthRoutes(options.readiness);

  app.use(observeMiddleware(deps.log));
  app.use(errorMiddleware(deps.log));
  app.use(health.routes());
  app.use(api.routes());
  app.use(api.allowedMethods({ throw: true }));
  return app;
}
