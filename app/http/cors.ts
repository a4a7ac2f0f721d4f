import cors from '@koa/cors';
import type { Context, Middleware } from 'koa';
import type { AllowedOrigins } from './cors-origins.js';

/** What a browser frontend may send: the RealWorld methods and the two headers it needs. */
export const CORS_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'] as const;
export const CORS_REQUEST_HEADERS = ['Authorization', 'Content-Type'] as const;
/** Response headers a page may read beyond the safelisted ones: when to retry, and the log's request id. */
export const CORS_EXPOSED_HEADERS = ['Retry-After', 'X-Request-Id'] as const;

export interface CorsOptions {
  origins: AllowedOrigins;
  /** Access-Control-Max-Age: how long a browser may reuse a preflight's answer. */
  maxAgeSeconds: number;
}

/** A CORS preflight: OPTIONS from a browser (Origin) asking whether it may send a method. */
export function isPreflight(ctx: Context): boolean {
  return ctx.method === 'OPTIONS' && ctx.get('Origin') !== '' && ctx.get('Access-Control-Request-Method') !== '';
}

/**
 * The CORS headers corsMiddleware puts on the answer to a request that is not a preflight, for
 * answers written without Koa (http/cached-reads.ts); test/integration/cached-reads.test.ts holds
 * the two to the same headers.
 */
export function simpleRequestCorsHeaders(origin: string | undefined, options: CorsOptions): Record<string, string> {
  if (origin === undefined || origin === '' || !options.origins.allows(origin)) return { Vary: 'Origin' };
  return {
    Vary: 'Origin',
    'Access-Control-Allow-Origin': options.origins.any ? '*' : origin,
    'Access-Control-Expose-Headers': CORS_EXPOSED_HEADERS.join(','),
  };
}

/**
 * CORS for browser frontends on other origins (@koa/cors). Mounted right inside observe and
 * outside everything else, so that:
 * - a preflight is answered 204 here and goes no further: no token check, no body parsing, no
 *   rate limit, no SQL, no Redis;
 * - every other response, the error middleware's JSON errors included, already carries
 *   Access-Control-Allow-Origin when the error is written, so a page can read why it failed.
 * Credentials (cookies) are never allowed: the API's credential is the Authorization header, which
 * a page sends explicitly. That is also what makes `*` (public-API mode) safe to offer.
 * A preflight from an origin that is not allowed still gets its 204, without any
 * Access-Control-* header: the browser then refuses the call itself.
 */
export function corsMiddleware(options: CorsOptions): Middleware {
  const handle = cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      if (origin === '' || !options.origins.allows(origin)) return '';
      return options.origins.any ? '*' : origin;
    },
    allowMethods: [...CORS_METHODS],
    allowHeaders: [...CORS_REQUEST_HEADERS],
    exposeHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: options.maxAgeSeconds,
    credentials: false,
    keepHeadersOnError: true,
  });
  return async (ctx, next) => {
    await handle(ctx, async () => {
      if (!isPreflight(ctx)) {
        await next();
        return;
      }
      // Only reached for an origin that is not allowed (@koa/cors answers allowed ones itself).
      ctx.status = 204;
    });
  };
}
