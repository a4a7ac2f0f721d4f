import type { Context, Middleware } from 'koa';
import type { TokenService } from '../modules/users/tokens.js';
import { unauthorized } from '../platform/errors.js';

export interface AuthUser {
  id: number;
  token: string;
}

/** `Authorization: Token <jwt>` (the RealWorld scheme); `Bearer` is accepted too. */
function tokenFromHeader(ctx: Context): string | undefined {
  const header = ctx.get('Authorization');
  if (!header) return undefined;
  const match = /^(?:Token|Bearer)\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw unauthorized('Authorization header must be "Token <jwt>"');
  return match[1];
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
