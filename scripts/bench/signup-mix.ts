/**
 * Scenario signup, the write-up's original 5:1 GET:POST mix (scripts/load.ts: each virtual user
 * registers, posts one article, then reads the list five times), at a given concurrency with the
 * cache on or off. Registration (scrypt) dominates it; scenario mix (scripts/bench/ladder.ts)
 * measures the steady-state mix of signed-in users.
 */
import { performance } from 'node:perf_hooks';
import { createConnection } from 'mysql2/promise';
import { runLoad, type RequestSample } from '../load.js';
import { countBy, shareWithin, summarize, type LatencySummary } from './format.js';
import { call } from './http.js';
import { delta, deltaBy, scrape, startSampler, type GaugePeaks } from './metrics.js';
import { readRss, type BenchService } from './service.js';

export const SLO_LATENCY_MS = 400;

export interface KindStats extends LatencySummary {
  count: number;
  errors: number;
  /** Share answered within 400 ms (the latency SLI threshold), client side. */
  within400: number;
}

export interface SignupMixResult {
  /** Which repetition (1-based); after folding repetitions, how many were folded. */
  run: number;
  concurrency: number;
  cache: 'on' | 'off';
  users: number;
  warmupUsers: number;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  successRatio: number;
  staleReads: number;
  staleExamples: string[];
  durationMs: number;
  requestsPerSecond: number;
  listGetsPerSecond: number;
  latencyMs: LatencySummary;
  within400: number;
  /** Same SLI from the service's own histogram (bucket le=0.4). */
  serverWithin400: number | undefined;
  byKind: Record<RequestSample['kind'], KindStats>;
  hitRatio: number | undefined;
  cacheHits: number | undefined;
  cacheMisses: number | undefined;
  coalescedFills: number;
  /** Exact mean statements per GET /api/articles (scripts/load.ts's bucket arithmetic). */
  sqlPerListGet: number | undefined;
  /** Every SQL statement of the run (db_query_duration_seconds_count) per HTTP request. */
  sqlPerRequest: number;
  /** Mean statement time (ms) over the run, from db_query_duration_seconds. */
  sqlMeanMs: number | undefined;
  shed: Record<string, number>;
  /** Innodb_deadlocks during the run: server-wide, so any other client of this MariaDB counts too. */
  innodbDeadlocks: number | undefined;
  peaks: GaugePeaks;
  metricSamples: number;
  /** VmHWM of the service process (its whole life: startup, warm-up and run). */
  peakRssHwmBytes: number | undefined;
  /** RSS once ready, before any request. */
  idleRssBytes: number | undefined;
  /** After the mix: the same list GET only, no registration competing for the CPU. */
  readOnly: ReadOnlyResult;
}

export interface ReadOnlyResult {
  concurrency: number;
  requests: number;
  errors: number;
  durationMs: number;
  requestsPerSecond: number;
  latencyMs: LatencySummary;
  within400: number;
  /** Exact: only these GETs hit the route during the phase. */
  sqlPerGet: number | undefined;
  hitRatio: number | undefined;
}

/** `concurrency` readers each send `reads` list GETs back to back (bounded by count and by `maxMs`). */
export async function runReadOnly(
  service: BenchService,
  concurrency: number,
  reads: number,
  maxMs: number,
): Promise<ReadOnlyResult> {
  const before = await scrape(service.metricsUrl);
  const times: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + maxMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = 0; i < reads && performance.now() < deadline; i += 1) {
        const res = await call(service.baseUrl, 'GET', '/api/articles?limit=20');
        times.push(res.ms);
        if (res.status !== 200) errors += 1;
      }
    }),
  );
  const durationMs = performance.now() - started;
  const after = await scrape(service.metricsUrl);
  const route = { method: 'GET', route: '/api/articles' };
  const gets = delta(before, after, 'http_request_db_queries_count', route);
  const hits = delta(before, after, 'redis_cache_hits_total');
  const misses = delta(before, after, 'redis_cache_misses_total');
  return {
    concurrency,
    requests: times.length,
    errors,
    durationMs,
    requestsPerSecond: times.length / (durationMs / 1000),
    latencyMs: summarize(times),
    within400: shareWithin(times, SLO_LATENCY_MS),
    sqlPerGet: gets === times.length && gets > 0 ? delta(before, after, 'http_request_db_queries_sum', route) / gets : undefined,
    hitRatio: hits + misses > 0 ? hits / (hits + misses) : undefined,
  };
}

/** MariaDB/MySQL's global deadlock counter, or undefined where the server has none. */
async function innodbDeadlocks(databaseUrl: string): Promise<number | undefined> {
  const db = await createConnection({ uri: databaseUrl, connectTimeout: 5000 });
  try {
    const [rows] = await db.query("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'");
    const value = (rows as { Value?: unknown }[])[0]?.Value;
    return value === undefined ? undefined : Number(value);
  } finally {
    await db.end();
  }
}

function kindStats(samples: readonly RequestSample[]): KindStats {
  const values = samples.map((s) => s.ms);
  return {
    ...summarize(values),
    count: samples.length,
    errors: samples.filter((s) => !s.ok).length,
    within400: shareWithin(values, SLO_LATENCY_MS),
  };
}

export async function runSignupMix(
  service: BenchService,
  options: {
    concurrency: number;
    users: number;
    warmupUsers: number;
    readsPerUser: number;
    maxDurationMs: number;
    progress: boolean;
    cache: boolean;
    run: number;
    /** List GETs per reader in the read-only phase. */
    readOnlyReads: number;
  },
): Promise<SignupMixResult> {
  const idleRssBytes = readRss(service.pid);
  if (options.warmupUsers > 0) {
    // JIT, connection pools and (with the cache on) the list index warm up; not measured.
    await runLoad({
      baseUrl: service.baseUrl,
      users: options.warmupUsers,
      concurrency: Math.min(options.warmupUsers, options.concurrency),
      maxDurationMs: 60_000,
    });
  }
  const before = await scrape(service.metricsUrl);
  const deadlocksBefore = await innodbDeadlocks(service.databaseUrl);
  const sampler = startSampler(service.metricsUrl, 250, options.maxDurationMs + 30_000);
  const samples: RequestSample[] = [];
  const result = await runLoad({
    baseUrl: service.baseUrl,
    metricsUrl: service.metricsUrl,
    users: options.users,
    concurrency: options.concurrency,
    readsPerUser: options.readsPerUser,
    maxDurationMs: options.maxDurationMs,
    progress: options.progress,
    onRequest: (s) => samples.push(s),
  });
  const { peaks, samples: metricSamples } = await sampler.stop();
  const after = await scrape(service.metricsUrl);
  const deadlocksAfter = await innodbDeadlocks(service.databaseUrl);
  const peakRssHwmBytes = service.peakRssBytes();
  const readOnly = await runReadOnly(service, options.concurrency, options.readOnlyReads, options.maxDurationMs);

  const durationCount = delta(before, after, 'http_request_duration_seconds_count');
  const within = delta(before, after, 'http_request_duration_seconds_bucket', { le: '0.4' });
  const statements = delta(before, after, 'db_query_duration_seconds_count');
  const statementSeconds = delta(before, after, 'db_query_duration_seconds_sum');
  const listSamples = samples.filter((s) => s.kind === 'list');
  const seconds = result.durationMs / 1000;
  return {
    run: options.run,
    concurrency: options.concurrency,
    cache: options.cache ? 'on' : 'off',
    users: result.users,
    warmupUsers: options.warmupUsers,
    requests: result.requests,
    errors: result.errors,
    statuses: countBy(samples, (s) => String(s.status)),
    successRatio: result.requests > 0 ? (result.requests - result.errors) / result.requests : 0,
    staleReads: result.staleReads,
    staleExamples: result.staleExamples,
    durationMs: result.durationMs,
    requestsPerSecond: result.requests / seconds,
    listGetsPerSecond: listSamples.length / seconds,
    latencyMs: result.latencyMs,
    within400: shareWithin(
      samples.map((s) => s.ms),
      SLO_LATENCY_MS,
    ),
    serverWithin400: durationCount > 0 ? within / durationCount : undefined,
    byKind: {
      register: kindStats(samples.filter((s) => s.kind === 'register')),
      post: kindStats(samples.filter((s) => s.kind === 'post')),
      list: kindStats(listSamples),
    },
    hitRatio: result.hitRatio,
    cacheHits: result.cacheHits,
    cacheMisses: result.cacheMisses,
    coalescedFills: delta(before, after, 'cache_fills_coalesced_total'),
    sqlPerListGet: result.sqlPerListGet,
    sqlPerRequest: result.requests > 0 ? statements / result.requests : 0,
    sqlMeanMs: statements > 0 ? (statementSeconds / statements) * 1000 : undefined,
    shed: deltaBy(before, after, 'http_requests_shed_total', 'reason'),
    innodbDeadlocks: deadlocksBefore === undefined || deadlocksAfter === undefined ? undefined : deadlocksAfter - deadlocksBefore,
    peaks,
    metricSamples,
    peakRssHwmBytes,
    idleRssBytes,
    readOnly,
  };
}
