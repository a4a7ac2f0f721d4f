/**
 * Scenarios reads, mix and knee: one blog-api process (pool of 20, cache on, its own private
 * Redis), seeded once through its API, then driven by wrk: the read scenarios against the ceiling,
 * then the 5:1 mix up the connection ladder. Its peak RSS covers the whole sequence.
 */
import type { PrivateRedis } from './redis-server.js';
import type { BenchPlan } from './plan.js';
import type { ProgressTracker } from './progress.js';
import { runLadder, type LadderResult } from './ladder.js';
import { runReads, type ReadsResult } from './reads.js';
import { seedReadDataset, type ReadDataset } from './seed.js';
import { readRss, resetPeakRss, type BenchService, type Launcher } from './service.js';
import type { StepTarget } from './step.js';
import { ladderFor } from './steps.js';

export interface WrkSettings {
  threads: number;
  durationSeconds: number;
  warmSeconds: number;
  timeoutSeconds: number;
  clockTicks: number;
}

/** What the read and mix runners share. */
export interface ThroughputContext {
  root: string;
  logDir: string;
  service: BenchService;
  serviceTarget: StepTarget;
  ceilingRedis: PrivateRedis;
  wrk: WrkSettings;
  benchStartedAt: number;
  progress: ProgressTracker;
  failures: string[];
  say: (line: string) => void;
}

export interface ThroughputResult {
  dataset: Omit<ReadDataset, 'viewerToken' | 'posterTokens' | 'bodyText'> & { bodyBytes: number; posters: number };
  poolSize: number;
  wrk: WrkSettings;
  reads: ReadsResult | undefined;
  ladder: LadderResult | undefined;
  /** The service's peak resident memory over its whole life: seeding, reads, mix and knee. */
  servicePeakRssBytes: number | undefined;
  /** Its peak from the first wrk step on (VmHWM reset after seeding), undefined if the reset failed. */
  serviceServingPeakRssBytes: number | undefined;
  /** VmRSS once the service was ready, before seeding. */
  serviceIdleRssBytes: number | undefined;
  /** VmHWM right after seeding (sign-ups hash passwords with scrypt, 32 MiB each), before any wrk step. */
  serviceSeededHwmBytes: number | undefined;
  /** wrk's CPU seconds per 10k requests over every measured step (what the load generator costs). */
  loadgenCpuSecondsPer10k: number | undefined;
}

export async function runThroughput(options: {
  plan: BenchPlan;
  launcher: Launcher;
  root: string;
  logDir: string;
  serviceRedis: PrivateRedis;
  ceilingRedis: PrivateRedis;
  wrk: WrkSettings;
  benchStartedAt: number;
  progress: ProgressTracker;
  failures: string[];
  runId: string;
  say: (line: string) => void;
}): Promise<ThroughputResult | undefined> {
  const { plan } = options;
  options.progress.begin('setup');
  let service: BenchService | undefined;
  try {
    service = await options.launcher.start({ label: 'tput', cache: true, env: { DB_POOL_SIZE: String(plan.poolSize) } });
    const serviceIdleRssBytes = readRss(service.pid);
    const dataset = await seedReadDataset(service.baseUrl, {
      articles: plan.articles,
      bodyBytes: plan.bodyBytes,
      authors: 4,
      posters: 8,
      runId: options.runId,
    });
    const serviceSeededHwmBytes = service.peakRssBytes();
    // Seeding's sign-ups hash with scrypt (32 MiB each); the reset lets the steps show their own peak.
    const reset = resetPeakRss(service.pid);
    const current = service;
    const ctx: ThroughputContext = {
      root: options.root,
      logDir: options.logDir,
      service,
      serviceTarget: {
        kind: 'service',
        pid: service.pid,
        metricsUrl: service.metricsUrl,
        redis: options.serviceRedis,
        peakRssBytes: () => current.peakRssBytes(),
      },
      ceilingRedis: options.ceilingRedis,
      wrk: options.wrk,
      benchStartedAt: options.benchStartedAt,
      progress: options.progress,
      failures: options.failures,
      say: options.say,
    };
    const reads = plan.scenarios.includes('reads') ? await runReads(ctx, dataset, plan.connections, plan.readRepeats) : undefined;
    const ladder = ladderFor(plan);
    const ladderResult =
      ladder.length > 0
        ? await runLadder(ctx, dataset, {
            ladder,
            mixConnections: plan.scenarios.includes('mix') ? plan.mixConnections : [],
            kneeSearched: plan.scenarios.includes('knee'),
            postEvery: plan.postEvery,
            runId: options.runId,
          })
        : undefined;
    const steps = [
      ...(reads?.ceiling ?? []),
      ...(reads?.scenarios.flatMap((s) => s.steps) ?? []),
      ...(ladderResult?.points ?? []),
    ];
    const cpu = steps.reduce((a, s) => a + (s.loadgenCpuSeconds ?? 0), 0);
    const requests = steps.reduce((a, s) => a + (s.loadgenCpuSeconds === undefined ? 0 : s.requests), 0);
    const { viewerToken: _v, posterTokens, bodyText: _b, ...datasetSummary } = dataset;
    return {
      dataset: { ...datasetSummary, bodyBytes: plan.bodyBytes, posters: posterTokens.length },
      poolSize: plan.poolSize,
      wrk: options.wrk,
      reads,
      ladder: ladderResult,
      servicePeakRssBytes: Math.max(serviceSeededHwmBytes ?? 0, service.peakRssBytes() ?? 0) || undefined,
      serviceServingPeakRssBytes: reset ? service.peakRssBytes() : undefined,
      serviceIdleRssBytes,
      serviceSeededHwmBytes,
      loadgenCpuSecondsPer10k: requests > 0 ? (cpu / requests) * 10_000 : undefined,
    };
  } catch (err) {
    const message = `throughput (reads/mix/knee): ${err instanceof Error ? err.message : String(err)}${service ? ` (service log: ${service.logFile})` : ''}`;
    options.failures.push(message);
    options.say(`FAILED ${message}`);
    return undefined;
  } finally {
    await service?.stop();
  }
}
