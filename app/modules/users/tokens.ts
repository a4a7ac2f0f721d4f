import { createSecretKey } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { unauthorized } from '../../platform/errors.js';

export interface TokenService {
  sign(userId: number): Promise<string>;
  /** The user id a token names; throws 401 for a bad, forged or expired token. */
  verify(token: string): Promise<number>;
}

/** Tokens whose signature was checked, remembered at most this many at once (oldest forgotten first). */
const VERIFIED_TOKENS = 10_000;

interface Verified {
  userId: number;
  /** Seconds since the epoch, from the token's `exp`. */
  expiresAt: number;
}

/**
 * HS256 tokens with an expiry; the subject is the user id, so renaming a user keeps it valid.
 * A signed-in client sends the same token with every request, and checking its HMAC was the
 * largest single cost of a signed-in page: a token whose signature was checked is remembered
 * with its user and expiry, and only the expiry is checked again. The key is made once.
 */
export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  const key = createSecretKey(Buffer.from(secret));
  const verified = new Map<string, Verified>();

  const remember = (token: string, entry: Verified): void => {
    if (verified.size >= VERIFIED_TOKENS) {
      const oldest = verified.keys().next();
      if (!oldest.done) verified.delete(oldest.value);
    }
    verified.set(token, entry);
  };

  return {
    sign: (userId) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(String(userId))
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key),
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAt > Date.now() / 1000) return known.userId;
        verified.delete(token);
        throw unauthorized('token expired');
      }
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
        const id = Number(payload.sub);
        if (!Number.isSafeInteger(id) || id <= 0 || payload.exp === undefined) throw unauthorized('invalid token');
        remember(token, { userId: id, expiresAt: payload.exp });
        return id;
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) throw unauthorized('token expired');
        throw unauthorized('invalid token');
      }
    },
  };
}
