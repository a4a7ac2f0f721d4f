import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Context, Middleware } from 'koa';
import type { Logger } from '../platform/log.js';
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

/**
 * Outermost middleware: gives the request an id and a context (so the SQL pool can count its
 * statements), and records the request's metrics and one log line once it is answered.
 */
export function observeMiddleware(log: Logger): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.set('X-Request-Id', requestId);
    const context: RequestContext = { requestId, dbStatements: 0 };
    const started = performance.now();
    httpRequestsInFlight.inc();
    try {
      await runWithRequestContext(context, next);
    } finally {
      httpRequestsInFlight.dec();
      const seconds = (performance.now() - started) / 1000;
      const route = routeLabel(ctx);
      const labels = { method: ctx.method, route, status: String(ctx.status) };
      httpRequestsTotal.inc(labels);
      httpRequestDuration.observe(labels, seconds);
      if (route !== 'unmatched') httpRequestDbQueries.observe({ method: ctx.method, route }, context.dbStatements);
      const { shedReason } = ctx.state as ErrorState;
      if (shedReason) httpRequestsShed.inc({ reason: shedReason });
      const line = {
        requestId,
        method: ctx.method,
        route,
        status: ctx.status,
        ms: Math.round(seconds * 10_000) / 10,
        dbStatements: context.dbStatements,
      };
      if (ctx.status >= 500) log.warn(line, 'request failed');
      // Probes and preflights are frequent and say nothing new: the metrics count them.
      else if (ctx.path === '/livez' || ctx.path === '/readyz' || route === PREFLIGHT_ROUTE) log.debug(line, 'request');
      else log.info(line, 'request');
    }
  };
}
