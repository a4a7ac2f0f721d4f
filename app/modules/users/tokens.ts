import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { unauthorized } from '../../platform/errors.js';

export interface TokenService {
  sign(userId: number): Promise<string>;
  /** The user id a token names; throws 401 for a bad, forged or expired token. */
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
