/**
 * One measured wrk step against blog-api or the ceiling, with what the server side says about it:
 * requests counted by the service, SQL statements and Redis commands per request, pool acquire
 * timeouts, shed requests, and memory.
 *
 * Memory is sampled from /proc/<pid>/status (VmRSS, the number process_resident_memory_bytes
 * reports) every 250 ms rather than by scraping /metrics, which would cost the service CPU during
 * the measurement; /metrics is scraped once before and once after the step.
 */
import { sumMetric } from '../load.js';
import { delta, deltaBy, scrape } from './metrics.js';
import { commandDelta, totalCalls, type CommandStats } from './redis-stats.js';
import type { PrivateRedis } from './redis-server.js';
import { readCpuSeconds, readRss } from './service.js';
import { runWrk, socketErrors, type WrkOptions, type WrkReport } from './wrk.js';

export interface StepTarget {
  kind: 'service' | 'ceiling';
  pid: number;
  /** The service's /metrics (undefined for the ceiling, which has none). */
  metricsUrl: string | undefined;
  /** The private Redis this target alone uses (its INFO commandstats count this target only). */
  redis: PrivateRedis | undefined;
  peakRssBytes(): number | undefined;
}

export interface StepResult {
  /** Which scenario: 'ceiling', 'list-anonymous', ..., 'mix'. */
  scenario: string;
  target: 'service' | 'ceiling';
  /** Repetition (1-based) for the read scenarios. */
  repeat: number;
  connections: number;
  durationSeconds: number;
  /** Seconds since the bench started, when the step began (to see what ran close together). */
  startedAtSeconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: WrkReport['latencyMs'];
  errors: { status: number; socket: number; total: number };
  /** Requests the service answered during the step (http_requests_total), the per-request denominator. */
  serverRequests: number | undefined;
  serverStatuses: Record<string, number> | undefined;
  /**
   * Answers with status >= 400 the service counted. It can exceed wrk's count: requests still in
   * flight when wrk stops are answered (and counted) by the service but not by wrk.
   */
  serverErrors: number | undefined;
  sqlPerRequest: number | undefined;
  redisPerRequest: number | undefined;
  redisCommands: CommandStats;
  poolAcquireTimeouts: number | undefined;
  shed: Record<string, number> | undefined;
  /** Highest VmRSS sampled during the step. */
  rssPeakSampledBytes: number | undefined;
  /** process_resident_memory_bytes scraped after the step. */
  rssAfterBytes: number | undefined;
  /** The V8 heap after the step: committed (nodejs_heap_size_total_bytes) and in use (nodejs_heap_size_used_bytes). */
  heapTotalAfterBytes: number | undefined;
  heapUsedAfterBytes: number | undefined;
  /** VmHWM after the step: the process's peak so far (for the service: since seeding, when its reset worked). */
  vmHwmBytes: number | undefined;
  loadgenCpuSeconds: number | undefined;
  /** The server process's CPU time (user + system) per request during the wrk run, in microseconds. */
  serverCpuMicrosPerRequest: number | undefined;
  /**
   * The target's private redis-server's CPU time per request, in microseconds: the share of a
   * request Redis spends on the same two cores (its scripts run there, not in the service).
   */
  redisCpuMicrosPerRequest: number | undefined;
  /** SQL statements by operation (db_query_duration_seconds): how many, and their mean duration. */
  statements: Record<string, { count: number; meanMs: number }> | undefined;
  /** Mean server-side duration of the step's requests by method (http_request_duration_seconds). */
  meanMsByMethod: Record<string, number> | undefined;
}

function startRssSampler(pid: number, everyMs: number): () => number | undefined {
  let peak: number | undefined;
  const take = () => {
    const rss = readRss(pid);
    if (rss !== undefined) peak = Math.max(peak ?? rss, rss);
  };
  take();
  const timer = setInterval(take, everyMs);
  return () => {
    clearInterval(timer);
    take();
    return peak;
  };
}

export async function measureStep(
  target: StepTarget,
  wrk: Omit<WrkOptions, 'url'> & { url: string },
  labels: { scenario: string; repeat: number; benchStartedAt: number },
): Promise<StepResult> {
  const startedAtSeconds = (Date.now() - labels.benchStartedAt) / 1000;
  const metricsBefore = target.metricsUrl ? await scrape(target.metricsUrl) : undefined;
  const redisBefore = target.redis ? await target.redis.commandStats() : undefined;
  const stopRss = startRssSampler(target.pid, 250);
  const redisPid = target.redis && target.redis.pid > 0 ? target.redis.pid : undefined;
  const cpuBefore = readCpuSeconds(target.pid);
  const redisCpuBefore = redisPid === undefined ? undefined : readCpuSeconds(redisPid);
  let report: WrkReport;
  let rssPeakSampledBytes: number | undefined;
  let cpuAfter: number | undefined;
  let redisCpuAfter: number | undefined;
  try {
    report = await runWrk(wrk);
  } finally {
    cpuAfter = readCpuSeconds(target.pid);
    redisCpuAfter = redisPid === undefined ? undefined : readCpuSeconds(redisPid);
    rssPeakSampledBytes = stopRss();
  }
  const redisAfter = target.redis ? await target.redis.commandStats() : undefined;
  const metricsAfter = target.metricsUrl ? await scrape(target.metricsUrl) : undefined;

  const redisCommands = redisBefore && redisAfter ? commandDelta(redisBefore, redisAfter) : {};
  let serverRequests: number | undefined;
  let sqlPerRequest: number | undefined;
  let serverStatuses: Record<string, number> | undefined;
  let poolAcquireTimeouts: number | undefined;
  let shed: Record<string, number> | undefined;
  let rssAfterBytes: number | undefined;
  let heapTotalAfterBytes: number | undefined;
  let heapUsedAfterBytes: number | undefined;
  let statements: StepResult['statements'];
  let meanMsByMethod: StepResult['meanMsByMethod'];
  if (metricsBefore !== undefined && metricsAfter !== undefined) {
    statements = meanDurationsBy(metricsBefore, metricsAfter, 'db_query_duration_seconds', 'operation');
    meanMsByMethod = Object.fromEntries(
      Object.entries(meanDurationsBy(metricsBefore, metricsAfter, 'http_request_duration_seconds', 'method')).map(([m, d]) => [
        m,
        d.meanMs,
      ]),
    );
    serverRequests = delta(metricsBefore, metricsAfter, 'http_requests_total');
    serverStatuses = deltaBy(metricsBefore, metricsAfter, 'http_requests_total', 'status');
    const statementCount = delta(metricsBefore, metricsAfter, 'db_query_duration_seconds_count');
    sqlPerRequest = serverRequests > 0 ? statementCount / serverRequests : undefined;
    poolAcquireTimeouts = delta(metricsBefore, metricsAfter, 'db_pool_acquire_timeouts_total');
    shed = deltaBy(metricsBefore, metricsAfter, 'http_requests_shed_total', 'reason');
    // A gauge the service exports (undefined, not 0, when it does not).
    const gauge = (name: string) => (new RegExp(`^${name} `, 'm').test(metricsAfter) ? sumMetric(metricsAfter, name) : undefined);
    rssAfterBytes = gauge('process_resident_memory_bytes');
    heapTotalAfterBytes = gauge('nodejs_heap_size_total_bytes');
    heapUsedAfterBytes = gauge('nodejs_heap_size_used_bytes');
  }
  // The ceiling has no metrics: what wrk completed is its denominator.
  const perRequestDenominator = serverRequests ?? report.requests;
  const socket = socketErrors(report.errors);
  return {
    scenario: labels.scenario,
    target: target.kind,
    repeat: labels.repeat,
    connections: wrk.connections,
    durationSeconds: report.durationSeconds,
    startedAtSeconds,
    requests: report.requests,
    requestsPerSecond: report.durationSeconds > 0 ? report.requests / report.durationSeconds : 0,
    latencyMs: report.latencyMs,
    errors: { status: report.errors.status, socket, total: report.errors.status + socket },
    serverRequests,
    serverStatuses,
    serverErrors:
      serverStatuses === undefined
        ? undefined
        : Object.entries(serverStatuses).reduce((a, [status, n]) => a + (Number(status) >= 400 ? n : 0), 0),
    sqlPerRequest,
    redisPerRequest: target.redis && perRequestDenominator > 0 ? totalCalls(redisCommands) / perRequestDenominator : undefined,
    redisCommands,
    poolAcquireTimeouts,
    shed,
    rssPeakSampledBytes,
    rssAfterBytes,
    heapTotalAfterBytes,
    heapUsedAfterBytes,
    vmHwmBytes: target.peakRssBytes(),
    loadgenCpuSeconds: report.cpuSeconds,
    serverCpuMicrosPerRequest: microsPerRequest(cpuBefore, cpuAfter, report.requests),
    redisCpuMicrosPerRequest: microsPerRequest(redisCpuBefore, redisCpuAfter, report.requests),
    statements,
    meanMsByMethod,
  };
}

function microsPerRequest(before: number | undefined, after: number | undefined, requests: number): number | undefined {
  return before !== undefined && after !== undefined && requests > 0 ? ((after - before) * 1e6) / requests : undefined;
}

/** Count and mean duration (ms) per label value of a histogram over a step. */
function meanDurationsBy(
  before: string,
  after: string,
  histogram: string,
  label: string,
): Record<string, { count: number; meanMs: number }> {
  const counts = deltaBy(before, after, `${histogram}_count`, label);
  const out: Record<string, { count: number; meanMs: number }> = {};
  for (const [value, count] of Object.entries(counts)) {
    const seconds = delta(before, after, `${histogram}_sum`, { [label]: value });
    out[value] = { count, meanMs: (seconds * 1000) / count };
  }
  return out;
}
