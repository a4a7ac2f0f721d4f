import type { Middleware } from 'koa';
import { isMissingReference } from '../db/errors.js';
import type { Logger } from '../log.js';

/** RealWorld error body: `{"errors": {"<field or topic>": ["message", ...]}}`. */
export type ErrorBody = Record<string, string[]>;

/** The one error type handlers throw; the error middleware turns it into the response. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(
      Object.entries(errors)
        .map(([k, v]) => `${k} ${v.join(', ')}`)
        .join('; '),
    );
    this.name = 'HttpError';
  }
}

export const unauthorized = (message = 'missing or invalid token') => new HttpError(401, { token: [message] });
export const forbidden = (topic: string, message: string) => new HttpError(403, { [topic]: [message] });
export const notFound = (topic: string) => new HttpError(404, { [topic]: ['not found'] });
export const unprocessable = (errors: ErrorBody) => new HttpError(422, errors);

/** Why a request was shed; the `reason` label of http_requests_shed_total. */
export type ShedReason = 'db_pool_timeout' | 'db_queue_full' | 'db_statement_timeout' | 'db_unavailable' | 'auth_busy';

/** Thrown when the service sheds a request instead of letting it queue or hang. */
export class OverloadedError extends HttpError {
  constructor(
    readonly reason: ShedReason,
    retryAfterSeconds = 1,
  ) {
    super(503, { server: ['temporarily overloaded, retry shortly'] }, { 'Retry-After': String(retryAfterSeconds) });
    this.name = 'OverloadedError';
  }
}

interface StatusLike {
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  type?: unknown;
  code?: unknown;
  errno?: unknown;
  message?: unknown;
}

/** mysql2 error codes that mean "the database is stuck or gone", answered with 503, not 500. */
const DB_UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
]);
/** MariaDB 1969 (max_statement_time exceeded), MySQL 3024 (max_execution_time), 1205 lock wait. */
const DB_TIMEOUT_ERRNOS = new Set([1969, 3024, 1205]);

/** Maps anything thrown to the HttpError the client sees. Unknown errors become a generic 500. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as StatusLike;
  if (typeof e.errno === 'number' && DB_TIMEOUT_ERRNOS.has(e.errno)) {
    return new OverloadedError('db_statement_timeout');
  }
  if (typeof e.code === 'string' && DB_UNAVAILABLE_CODES.has(e.code)) {
    return new OverloadedError('db_unavailable');
  }
  // A row referenced by an insert vanished (the token's user, or the article, was deleted meanwhile).
  if (isMissingReference(err)) return new HttpError(409, { resource: ['a referenced user or article no longer exists'] });
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status === 501) return new HttpError(405, { method: ['not allowed'] });
  if (status === 413) return new HttpError(413, { body: ['request body too large'] });
  if (status === 415) return new HttpError(415, { body: ['content type must be application/json'] });
  const parseFailed = err instanceof SyntaxError || e.type === 'entity.parse.failed';
  if (status === 400 && parseFailed) return new HttpError(400, { body: ['is not valid JSON'] });
  if (status >= 400 && status < 500) {
    // Koa/bodyparser client errors (malformed JSON and the like) carry safe, exposed messages.
    const message = e.expose === true && typeof e.message === 'string' ? e.message : 'bad request';
    return new HttpError(status, { body: [message] });
  }
  return new HttpError(500, { server: ['internal error'] });
}

/** First middleware: every failure becomes a JSON body; only unknown errors are logged as errors. */
export function errorMiddleware(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, { path: ['no such endpoint'] });
      }
    } catch (err) {
      const httpError = toHttpError(err);
      if (httpError.status >= 500 && !(httpError instanceof OverloadedError) && !(err instanceof HttpError)) {
        log.error({ err, method: ctx.method, path: ctx.path }, 'unhandled error');
      }
      ctx.status = httpError.status;
      ctx.set(httpError.headers);
      ctx.body = { errors: httpError.errors };
      ctx.state.error = httpError;
    }
  };
}
