import { bodyParser } from '@koa/bodyparser';
import type { Context, Middleware } from 'koa';
import { ApiError } from '../platform/errors.js';

/**
 * JSON bodies only, up to `limitBytes`. Oversize bodies become 413 and malformed JSON 400 through
 * the error middleware; a body sent as another content type is ignored (validation then says
 * which fields are missing).
 */
export function jsonBody(limitBytes: number): Middleware {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: limitBytes, encoding: 'utf-8' }) as Middleware;
  return async (ctx, next) => {
    try {
      await parse(ctx, () => Promise.resolve());
    } catch (err) {
      // Errors with a status (400 bad JSON, 413, 415) are answered as they are; anything else from
      // reading the body (a Content-Encoding that does not match the bytes) is the client's too.
      const status = (err as { status?: unknown }).status;
      throw typeof status === 'number' ? err : new ApiError(400, { body: ['cannot be decoded'] });
    }
    await next();
  };
}

/** The parsed JSON body (undefined when there was none). */
export function requestBody(ctx: Context): unknown {
  return (ctx.request as { body?: unknown }).body;
}
