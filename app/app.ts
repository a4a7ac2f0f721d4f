import Router from '@koa/router';
import Koa from 'koa';
import { authMiddleware } from './http/auth.js';
import { jsonBody } from './http/body.js';
import { corsMiddleware, type CorsOptions } from './http/cors.js';
import { errorMiddleware } from './http/errors.js';
import { healthRoutes, type Readiness } from './http/health.js';
import { observeMiddleware } from './http/observe.js';
import { openApiRoutes } from './http/openapi-route.js';
import { rateLimitMiddleware, type RateLimits } from './http/rate-limit.js';
import { articleRoutes } from './modules/articles/article-routes.js';
import { commentRoutes } from './modules/comments/comment-routes.js';
import { profileRoutes } from './modules/profiles/profile-routes.js';
import { tagRoutes } from './modules/tags/tag-routes.js';
import type { AppDeps } from './modules/deps.js';
import { userRoutes } from './modules/users/user-routes.js';

export interface AppOptions {
  bodyLimitBytes: number;
  readiness: Readiness;
  cors: CorsOptions;
  rateLimits: RateLimits;
}

/** The RealWorld API under /api: every route the OpenAPI document must describe. */
export function createApiRouter(deps: AppDeps, options: Pick<AppOptions, 'bodyLimitBytes' | 'rateLimits'>): Router {
  const api = new Router({ prefix: '/api' });
  // Router-level, so unknown paths answer 404 before any budget, token or body is looked at; the
  // rate limit comes first so that a client over its budget costs neither a token check nor a parse.
  api.use(rateLimitMiddleware(options.rateLimits));
  api.use(authMiddleware(deps.tokens));
  api.use(jsonBody(options.bodyLimitBytes));
  for (const routes of [userRoutes, profileRoutes, articleRoutes, commentRoutes, tagRoutes]) {
    const router = routes(deps);
    api.use(router.routes());
  }
  return api;
}

/** The public HTTP app: /api/* (RealWorld), /api/openapi.json, /livez, /readyz. Metrics are served on their own port. */
export function createApp(deps: AppDeps, options: AppOptions): Koa {
  const app = new Koa();
  // X-Forwarded-* are not trusted (Koa's default): ctx.ip would take a client's word for its
  // address. Per-client limits read the address through http/client-address.ts, which believes
  // X-Forwarded-For only as far as TRUSTED_PROXY_COUNT proxies of ours.
  app.proxy = false;
  // Errors are answered and logged by errorMiddleware; keep Koa from printing stacks to stderr.
  app.silent = true;

  const api = createApiRouter(deps, options);
  const health = healthRoutes(options.readiness);
  const openApi = openApiRoutes();

  app.use(observeMiddleware(deps.log));
  // Outside the error middleware: its headers are on the response before any error is written,
  // and a preflight is answered here, before anything below runs.
  app.use(corsMiddleware(options.cors));
  app.use(errorMiddleware(deps.log));
  app.use(health.routes());
  // Served without the token check and without a budget: a public, in-memory document.
  app.use(openApi.routes());
  app.use(api.routes());
  // Not throw: the router then sets the Allow header, and errorMiddleware writes the JSON body.
  app.use(api.allowedMethods());
  return app;
}
