/**
 * Scenario 2, the write-up's pool of 20 timing out: another session holds `LOCK TABLES articles
 * WRITE` for a while, and a burst of list GETs (cache off, so each needs the database) arrives.
 * Measures who is shed, how fast, how long anyone is held, and how soon the service serves again.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { countBy, peakOverlap, summarize, type LatencySummary } from './format.js';
import { call, postArticle, register, type Timed } from './http.js';
import { delta, deltaBy, scrape, startSampler, type GaugePeaks } from './metrics.js';
import type { BenchService } from './service.js';

export interface StallSettings {
  poolSize: number;
  acquireTimeoutMs: number;
  statementTimeoutMs: number;
  queueLimit: number;
}

export function stallEnv(s: StallSettings): Record<string, string> {
  return {
    DB_POOL_SIZE: String(s.poolSize),
    DB_ACQUIRE_TIMEOUT_MS: String(s.acquireTimeoutMs),
    DB_STATEMENT_TIMEOUT_MS: String(s.statementTimeoutMs),
    DB_QUEUE_LIMIT: String(s.queueLimit),
  };
}

export interface StallResult {
  label: string;
  settings: StallSettings;
  burst: number;
  /** How long the lock was actually held. */
  stallMs: number;
  statuses: Record<string, number>;
  served: number;
  shed: number;
  /** Time to answer of the 503s. */
  shedLatencyMs: LatencySummary | undefined;
  servedLatencyMs: LatencySummary | undefined;
  latencyMs: LatencySummary;
  /** The longest any burst request waited for its answer. */
  longestHeldMs: number;
  /** Burst requests answered (any status) within 1.5 s. */
  answeredWithin1500: number;
  shedReasons: Record<string, number>;
  acquireTimeouts: number;
  /** Client side: burst requests outstanding at once (exact). */
  clientPeakOutstanding: number;
  /** Service side, sampled every 50 ms: http_requests_in_flight, db_pool_waiting, ... */
  peaks: GaugePeaks;
  /** From UNLOCK to the first 200 of a new GET sent after it. */
  recoveryMs: number | undefined;
  recoveryProbes: number;
  /** From UNLOCK to the last burst answer (negative: all were answered while locked). */
  drainMs: number;
}

export async function runStall(
  service: BenchService,
  options: { label: string; settings: StallSettings; burst: number; stallMs: number; clientTimeoutMs: number },
): Promise<StallResult> {
  // A page worth of rows, and every pool connection opened, before the stall.
  const token = await register(service.baseUrl, `stall${service.pid}`);
  for (let i = 0; i < 20; i += 1) await postArticle(service.baseUrl, token, `Stall seed ${i}`, ['bench']);
  await Promise.all(Array.from({ length: options.settings.poolSize * 2 }, () => call(service.baseUrl, 'GET', '/api/articles')));

  const before = await scrape(service.metricsUrl);
  const sampler = startSampler(service.metricsUrl, 50, options.stallMs + options.clientTimeoutMs + 30_000);
  const locker = await createConnection({ uri: service.databaseUrl, connectTimeout: 5000 });
  let burst: Timed[];
  let lockedAt: number;
  let unlockedAt: number;
  let recoveryMs: number | undefined;
  let recoveryProbes = 0;
  try {
    await locker.query('LOCK TABLES articles WRITE');
    lockedAt = performance.now();
    const pending = Promise.all(
      Array.from({ length: options.burst }, () =>
        call(service.baseUrl, 'GET', '/api/articles', { timeoutMs: options.clientTimeoutMs }),
      ),
    );
    await sleep(Math.max(0, lockedAt + options.stallMs - performance.now()));
    await locker.query('UNLOCK TABLES');
    unlockedAt = performance.now();
    // New requests after the unlock, one after another, until one is served (bounded).
    while (recoveryProbes < 1000 && performance.now() - unlockedAt < options.clientTimeoutMs) {
      recoveryProbes += 1;
      const probe = await call(service.baseUrl, 'GET', '/api/articles?limit=1', { timeoutMs: options.clientTimeoutMs });
      if (probe.status === 200) {
        recoveryMs = probe.end - unlockedAt;
        break;
      }
      await sleep(10);
    }
    burst = await pending;
  } finally {
    await locker.end().catch(() => undefined);
  }
  const { peaks } = await sampler.stop();
  const after = await scrape(service.metricsUrl);

  const shed = burst.filter((r) => r.status === 503);
  const served = burst.filter((r) => r.status === 200);
  return {
    label: options.label,
    settings: options.settings,
    burst: options.burst,
    stallMs: unlockedAt - lockedAt,
    statuses: countBy(burst, (r) => String(r.status)),
    served: served.length,
    shed: shed.length,
    shedLatencyMs: shed.length > 0 ? summarize(shed.map((r) => r.ms)) : undefined,
    servedLatencyMs: served.length > 0 ? summarize(served.map((r) => r.ms)) : undefined,
    latencyMs: summarize(burst.map((r) => r.ms)),
    longestHeldMs: Math.max(...burst.map((r) => r.ms)),
    answeredWithin1500: burst.filter((r) => r.ms <= 1500).length,
    shedReasons: deltaBy(before, after, 'http_requests_shed_total', 'reason'),
    acquireTimeouts: delta(before, after, 'db_pool_acquire_timeouts_total'),
    clientPeakOutstanding: peakOverlap(burst),
    peaks,
    recoveryMs,
    recoveryProbes,
    drainMs: Math.max(...burst.map((r) => r.end)) - unlockedAt,
  };
}
