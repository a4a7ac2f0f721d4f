import { bodyParser } from '@koa/bodyparser';
import type { Context, Middleware } from 'koa';

/**
 * JSON bodies only, up to `limitBytes`. Oversize bodies become 413 and malformed JSON 400 through
 * the error middleware; a body sent as another content type is ignored (validation then says
 * which fields are missing).
 */
export function jsonBody(limitBytes: number): Middleware {
  return bodyParser({ enableTypes: ['json'], jsonLimit: limitBytes, encoding: 'utf-8' }) as Middleware;
}

/** The parsed JSON body (undefined when there was none). */
export function requestBody(ctx: Context): unknown {
  return (ctx.request as { body?: unknown }).body;
}
