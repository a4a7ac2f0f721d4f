import type { Context, Middleware } from 'koa';
import type { TokenService } from '../modules/users/tokens.js';
import { unauthorized } from '../platform/errors.js';

export interface AuthUser {
  id: number;
  token: string;
}

const AUTHORIZATION = /^(?:Token|Bearer)\s+(\S+)\s*$/i;

/** The token of an Authorization header (`Token <jwt>`, the RealWorld scheme; `Bearer` too), or undefined when malformed. */
export function tokenOf(header: string): string | undefined {
  return AUTHORIZATION.exec(header)?.[1];
}

function tokenFromHeader(ctx: Context): string | undefined {
  const header = ctx.get('Authorization');
  if (!header) return undefined;
  const token = tokenOf(header);
  if (token === undefined) throw unauthorized('Authorization header must be "Token <jwt>"');
  return token;
}

/**
 * Resolves the caller on every request. A missing header means anonymous; a bad or expired token
 * is always 401, even on endpoints where auth is optional, so a client never silently loses its
 * identity.
 */
export function authMiddleware(tokens: TokenService): Middleware {
  return async (ctx, next) => {
    const token = tokenFromHeader(ctx);
    if (token !== undefined) {
      ctx.state.auth = { id: await tokens.verify(token), token } satisfies AuthUser;
    }
    await next();
  };
}

export function optionalUser(ctx: Context): AuthUser | undefined {
  return ctx.state.auth as AuthUser | undefined;
}

export function requireUser(ctx: Context): AuthUser {
  const auth = optionalUser(ctx);
  if (!auth) throw unauthorized('authentication required');
  return auth;
}
