import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { Context, Middleware } from 'koa';
import { unauthorized } from './errors.js';

export interface AuthUser {
  id: number;
  token: string;
}

export interface TokenService {
  sign(userId: number): Promise<string>;
  verify(token: string): Promise<number>;
}

/** HS256 tokens with an expiry; the subject is the user id, so renaming a user keeps it valid. */
export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  const key = new TextEncoder().encode(secret);
  return {
    sign: (userId) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(String(userId))
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
        const id = Number(payload.sub);
        if (!Number.isSafeInteger(id) || id <= 0) throw unauthorized('invalid token');
        return id;
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) throw unauthorized('token expired');
        throw unauthorized('invalid token');
      }
    },
  };
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
