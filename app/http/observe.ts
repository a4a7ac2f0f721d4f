import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Context, Middleware } from 'koa';
import { accessLogger, type Logger } from '../platform/log.js';
import type { ShedReason } from '../platform/errors.js';
import {
  httpRequestDbQueries,
  httpRequestDuration,
  httpRequestsInFlight,
  httpRequestsShed,
  httpRequestsTotal,
} from '../platform/metrics.js';
import { runWithRequestContext, type RequestContext } from '../platform/request-context.js';
import { isPreflight } from './cors.js';
import type { ErrorState } from './errors.js';

interface MatchedLayer {
  path: unknown;
  methods: string[];
}

/** The route label of every CORS preflight, whatever its path: they are answered before routing. */
export const PREFLIGHT_ROUTE = 'preflight';

/**
 * The template of the route that serves this method and path (e.g. /api/articles/:slug), taken
 * from the router's matched layers so that errors thrown by router-level middleware (auth, body
 * parsing) still carry it; anything else folds into "unmatched" to keep cardinality bounded.
 * CORS preflights get their own label: they are not /api/* traffic for the SLOs (which select
 * route=~"/api/.*") and must not inflate "unmatched".
 */
export function routeLabel(ctx: Context): string {
  if (isPreflight(ctx)) return PREFLIGHT_ROUTE;
  const matched = (ctx as Context & { matched?: MatchedLayer[] }).matched ?? [];
  const route = matched.find((layer) => layer.methods.includes(ctx.method));
  return typeof route?.path === 'string' ? route.path : 'unmatched';
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The caller's X-Request-Id when it is a sane token, otherwise a new one. */
export function requestIdFrom(incoming: string | undefined): string {
  return incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** One answered request, as its metrics and its log line describe it. */
export interface AnsweredRequest {
  requestId: string;
  method: string;
  path: string;
  route: string;
  status: number;
  seconds: number;
  dbStatements: number;
  shedReason?: ShedReason | undefined;
}

/**
 * Records an answered request: its metrics and one log line. Every answer goes through here,
 * whether Koa served it or the cached-read fast path did (http/cached-reads.ts). `access` is an
 * accessLogger: the line holds nothing to redact.
 */
export function recordAnswer(access: Logger, answered: AnsweredRequest): void {
  const { requestId, method, route, status, seconds, dbStatements } = answered;
  const labels = { method, route, status: String(status) };
  httpRequestsTotal.inc(labels);
  httpRequestDuration.observe(labels, seconds);
  if (route !== 'unmatched') httpRequestDbQueries.observe({ method, route }, dbStatements);
  if (answered.shedReason) httpRequestsShed.inc({ reason: answered.shedReason });
  const line = { requestId, method, route, status, ms: Math.round(seconds * 10_000) / 10, dbStatements };
  if (status >= 500) access.warn(line, 'request failed');
  // Probes and preflights are frequent and say nothing new: the metrics count them.
  else if (answered.path === '/livez' || answered.path === '/readyz' || route === PREFLIGHT_ROUTE) access.debug(line, 'request');
  else access.info(line, 'request');
}

/**
 * Outermost middleware: gives the request an id and a context (so the SQL pool can count its
 * statements), and records the request's metrics and one log line once it is answered.
 */
export function observeMiddleware(log: Logger): Middleware {
  const access = accessLogger(log);
  return async (ctx, next) => {
    const requestId = requestIdFrom(ctx.get('X-Request-Id'));
    ctx.set('X-Request-Id', requestId);
    const context: RequestContext = { requestId, dbStatements: 0 };
    const started = performance.now();
    httpRequestsInFlight.inc();
    try {
      await runWithRequestContext(context, next);
    } finally {
      httpRequestsInFlight.dec();
      recordAnswer(access, {
        requestId,
        method: ctx.method,
        path: ctx.path,
        route: routeLabel(ctx),
        status: ctx.status,
        seconds: (performance.now() - started) / 1000,
        dbStatements: context.dbStatements,
        shedReason: (ctx.state as ErrorState).shedReason,
      });
    }
  };
}
