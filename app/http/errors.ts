import type { Middleware } from 'koa';
import { ApiError, RateLimitedError, ShedError, type ErrorBody, type ShedReason } from '../platform/errors.js';
import type { Logger } from '../platform/log.js';
import { databaseShedReason, isMissingReference } from '../platform/mysql-errors.js';

/** What the client is told about a failure. */
export interface ErrorResponse {
  status: number;
  errors: ErrorBody;
  headers: Record<string, string>;
  /** Set when the request was shed on purpose (http_requests_shed_total{reason}). */
  shedReason?: ShedReason;
  /** An error nobody anticipated: logged with its stack, answered with a generic 500. */
  unexpected: boolean;
}

interface KoaErrorFields {
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  type?: unknown;
  message?: unknown;
}

function shed(reason: ShedReason, retryAfterSeconds = 1): ErrorResponse {
  return {
    status: 503,
    errors: { server: ['temporarily overloaded, retry shortly'] },
    headers: { 'Retry-After': String(retryAfterSeconds) },
    shedReason: reason,
    unexpected: false,
  };
}

function rateLimited(retryAfterSeconds: number): ErrorResponse {
  return {
    status: 429,
    errors: { rate: [`too many requests, retry in ${retryAfterSeconds} s`] },
    headers: { 'Retry-After': String(retryAfterSeconds) },
    shedReason: 'rate_limited',
    unexpected: false,
  };
}

const answer = (status: number, errors: ErrorBody): ErrorResponse => ({ status, errors, headers: {}, unexpected: false });

/** Maps anything thrown to what the client sees. Unknown errors become a generic 500. */
export function toErrorResponse(err: unknown): ErrorResponse {
  if (err instanceof ApiError) return answer(err.status, err.errors);
  if (err instanceof ShedError) return shed(err.reason, err.retryAfterSeconds);
  if (err instanceof RateLimitedError) return rateLimited(err.retryAfterSeconds);
  const dbReason = databaseShedReason(err);
  if (dbReason) return shed(dbReason);
  // A row referenced by an insert vanished (the token's user, or the article, was deleted meanwhile).
  if (isMissingReference(err)) return answer(409, { resource: ['a referenced user or article no longer exists'] });
  const e = (typeof err === 'object' && err !== null ? err : {}) as KoaErrorFields;
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
  // 405: a method the path does not serve (allowedMethods); 501: a method no route serves at all.
  if (status === 405 || status === 501) return answer(405, { method: ['not allowed'] });
  if (status === 413) return answer(413, { body: ['request body too large'] });
  if (status === 415) return answer(415, { body: ['content type must be application/json'] });
  const parseFailed = err instanceof SyntaxError || e.type === 'entity.parse.failed';
  if (status === 400 && parseFailed) return answer(400, { body: ['is not valid JSON'] });
  if (status >= 400 && status < 500) {
    // Koa/bodyparser client errors (malformed JSON and the like) carry safe, exposed messages.
    const message = e.expose === true && typeof e.message === 'string' ? e.message : 'bad request';
    return answer(status, { body: [message] });
  }
  return { ...answer(500, { server: ['internal error'] }), unexpected: true };
}

/** Set on ctx.state by errorMiddleware, read by observeMiddleware for the shed counter. */
export interface ErrorState {
  shedReason?: ShedReason;
}

/** First middleware inside observe: every failure becomes a JSON body; unexpected ones are logged. */
export function errorMiddleware(log: Logger): Middleware<ErrorState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new ApiError(404, { path: ['no such endpoint'] });
      }
      // The router answered a known path with a method it does not serve (405, with Allow), or a
      // method nobody serves (501): a JSON body; the Allow header stays.
      if ((ctx.status === 405 || ctx.status === 501) && ctx.body === undefined) {
        throw new ApiError(405, { method: ['not allowed'] });
      }
    } catch (err) {
      const response = toErrorResponse(err);
      if (response.unexpected) log.error({ err, method: ctx.method, path: ctx.path }, 'unhandled error');
      ctx.status = response.status;
      ctx.set(response.headers);
      ctx.body = { errors: response.errors };
      if (response.shedReason) ctx.state.shedReason = response.shedReason;
    }
  };
}
