import type { Middleware } from 'koa';
import { RateLimitedError } from '../platform/errors.js';
import { clientAddress, clientKey } from './client-address.js';
import type { ClientLimiter } from './client-limiter.js';
import { routeLabel } from './observe.js';

export interface RateLimits {
  /** Sign-ups and logins (each one costs a password hash): the tight budget. */
  auth: ClientLimiter | undefined;
  /** Every POST, PUT and DELETE, sign-ups and logins included: the loose budget. */
  writes: ClientLimiter | undefined;
  /** Proxies of ours in front that append to X-Forwarded-For (see client-address.ts). */
  trustedProxyCount: number;
}

const AUTH_ROUTES = new Set(['POST /api/users', 'POST /api/users/login']);
const WRITE_METHODS = new Set(['POST', 'PUT', 'DELETE']);

async function spend(limiter: ClientLimiter | undefined, key: string): Promise<void> {
  const waitMs = await limiter?.take(key);
  if (waitMs !== undefined) throw new RateLimitedError(Math.ceil(waitMs / 1000));
}

/**
 * Router-level, ahead of the token check and the body parser: it runs only for a route that
 * exists, and a client over its budget is refused before anything is read or hashed for it
 * (429 through the error middleware, counted as shed with reason rate_limited). Reads are not
 * limited: they are cheap and cached, and the database pool sheds them when it is saturated.
 */
export function rateLimitMiddleware(limits: RateLimits): Middleware {
  return async (ctx, next) => {
    if (WRITE_METHODS.has(ctx.method)) {
      const key = clientKey(clientAddress(ctx, limits.trustedProxyCount));
      if (AUTH_ROUTES.has(`${ctx.method} ${routeLabel(ctx)}`)) await spend(limits.auth, key);
      await spend(limits.writes, key);
    }
    await next();
  };
}
