/**
 * The two error types every layer may throw. The HTTP layer (http/errors.ts) turns them into
 * responses; nothing below it knows about Koa.
 */

/** RealWorld error body: `{"errors": {"<field or topic>": ["message", ...]}}`. */
export type ErrorBody = Record<string, string[]>;

/** The one error a service throws to answer a request with a client error (4xx). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ErrorBody,
  ) {
    super(
      Object.entries(errors)
        .map(([k, v]) => `${k} ${v.join(', ')}`)
        .join('; '),
    );
    this.name = 'ApiError';
  }
}

export const unauthorized = (message = 'missing or invalid token'): ApiError => new ApiError(401, { token: [message] });
export const forbidden = (topic: string, message: string): ApiError => new ApiError(403, { [topic]: [message] });
export const notFound = (topic: string): ApiError => new ApiError(404, { [topic]: ['not found'] });
export const unprocessable = (errors: ErrorBody): ApiError => new ApiError(422, errors);

/** Why a request was shed; the `reason` label of http_requests_shed_total (design.md). */
export const SHED_REASONS = [
  'db_pool_timeout',
  'db_queue_full',
  'db_statement_timeout',
  'db_deadlock',
  'db_unavailable',
  'auth_busy',
  // A client over its request budget (429, not 503): answered before any work is done for it.
  'rate_limited',
] as const;
export type ShedReason = (typeof SHED_REASONS)[number];

/**
 * Thrown where the service refuses work instead of letting it queue or hang (a full pool, a
 * stalled database, a busy password hasher). Answered 503 with Retry-After.
 */
export class ShedError extends Error {
  constructor(
    readonly reason: ShedReason,
    readonly retryAfterSeconds = 1,
  ) {
    super(`shed: ${reason}`);
    this.name = 'ShedError';
  }
}

/**
 * Thrown when one client has used up its request budget (per-client rate limits). Answered 429
 * with Retry-After and counted as shed with reason `rate_limited`; a 4xx, so it does not burn the
 * availability SLO, which counts 5xx only.
 */
export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`rate limited: retry in ${retryAfterSeconds} s`);
    this.name = 'RateLimitedError';
  }
}
