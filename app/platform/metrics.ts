import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SHED_REASONS } from './errors.js';

/**
 * Every metric the service exports, in one place. Names and labels are a contract with the chart's
 * rules and dashboards (../shared/design.md): change them only together.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** The `cache` label of redis_cache_hits_total / misses / coalesced fills: one value per cached thing. */
export const CACHE_NAMES = [
  'article',
  'article_body',
  'article_slug',
  'profile',
  'user_id',
  'tags',
  'comments',
  'article_list',
  'favorites',
  'following',
] as const;
export type CacheName = (typeof CACHE_NAMES)[number];

/** The `op` label of cache_errors_total: one value per kind of Redis call the cache makes. */
export const CACHE_OPS = ['read', 'store', 'index_read', 'index_install', 'write', 'page_read', 'page_store'] as const;
export type CacheOp = (typeof CACHE_OPS)[number];

/** Latency buckets; 0.4 s is the latency SLO threshold and must stay a bucket boundary. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 10];

export const httpRequestsTotal = new Counter({
  name: 'http_requests_total',
  help: 'HTTP requests answered, by method, route template and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration in seconds, by method, route template and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const httpRequestsInFlight = new Gauge({
  name: 'http_requests_in_flight',
  help: 'HTTP requests being served right now.',
  registers: [registry],
});

export const httpRequestsShed = new Counter({
  name: 'http_requests_shed_total',
  help: 'Requests refused on purpose, by reason: 503 instead of queueing or hanging, or 429 for a client over its budget (rate_limited).',
  labelNames: ['reason'] as const,
  registers: [registry],
});

export const httpRequestDbQueries = new Histogram({
  name: 'http_request_db_queries',
  help: 'SQL statements issued while serving one request, by method and route (a rising count is an N+1).',
  // method as well as route: GET and POST on /api/articles cost very different statement counts,
  // and a list GET's cost must be measurable on its own (design.md lists route only; see README).
  labelNames: ['method', 'route'] as const,
  buckets: [0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50, 100],
  registers: [registry],
});

export const cacheHits = new Counter({
  name: 'redis_cache_hits_total',
  help: 'Cache lookups answered from Redis, by cache.',
  labelNames: ['cache'] as const,
  registers: [registry],
});

export const cacheMisses = new Counter({
  name: 'redis_cache_misses_total',
  help: 'Cache lookups not answered from Redis (filled from MySQL), by cache.',
  labelNames: ['cache'] as const,
  registers: [registry],
});

export const cachePageLookups = new Counter({
  name: 'cache_page_lookups_total',
  help: 'List pages answered whole from the page cache (hit) or assembled from the entry caches (miss); not in redis_cache_*, whose ratio counts what MySQL is spared.',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const cacheFillsCoalesced = new Counter({
  name: 'cache_fills_coalesced_total',
  help: "Cache lookups that waited on another request's fill instead of querying MySQL, by cache.",
  labelNames: ['cache'] as const,
  registers: [registry],
});

export const cacheErrors = new Counter({
  name: 'cache_errors_total',
  help: 'Redis operations that failed or were skipped by the open circuit breaker, by operation.',
  labelNames: ['op'] as const,
  registers: [registry],
});

export const dbPoolConnections = new Gauge({
  name: 'db_pool_connections',
  help: 'Database pool connections by state (active = lent to a request, idle = open and free).',
  labelNames: ['state'] as const,
  registers: [registry],
});

export const dbPoolWaiting = new Gauge({
  name: 'db_pool_waiting',
  help: 'Requests waiting for a database connection.',
  registers: [registry],
});

export const dbPoolMax = new Gauge({
  name: 'db_pool_max',
  help: 'Configured database pool size (DB_POOL_SIZE).',
  registers: [registry],
});

export const dbPoolAcquireDuration = new Histogram({
  name: 'db_pool_acquire_duration_seconds',
  help: 'Time spent waiting for a database connection from the pool.',
  buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const dbPoolAcquireTimeouts = new Counter({
  name: 'db_pool_acquire_timeouts_total',
  help: 'Connection requests that gave up after DB_ACQUIRE_TIMEOUT_MS (the request was shed with 503).',
  registers: [registry],
});

export const dbQueryDuration = new Histogram({
  name: 'db_query_duration_seconds',
  help: 'SQL statement duration, by operation (a short name such as articles.list).',
  labelNames: ['operation'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

/**
 * Every series whose label values are known up front starts at 0, so a healthy service shows 0,
 * not "No data", in every panel and rule that reads it (rate() needs a series to exist first).
 */
for (const reason of SHED_REASONS) httpRequestsShed.labels({ reason }).inc(0);
for (const cache of CACHE_NAMES) {
  cacheHits.labels({ cache }).inc(0);
  cacheMisses.labels({ cache }).inc(0);
  cacheFillsCoalesced.labels({ cache }).inc(0);
}
cacheFillsCoalesced.labels({ cache: 'list_page' }).inc(0);
for (const op of CACHE_OPS) cacheErrors.labels({ op }).inc(0);
for (const result of ['hit', 'miss']) cachePageLookups.labels({ result }).inc(0);
dbPoolAcquireTimeouts.inc(0);
