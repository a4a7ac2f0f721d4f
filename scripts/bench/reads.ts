/**
 * The read scenarios against the ceiling: anonymous list, list by tag, signed-in list and article
 * by slug on blog-api, each between two runs of the ceiling serving the anonymous list page's
 * exact bytes (fetched from blog-api just before the ceiling starts), all with the same wrk
 * settings on the same machine within seconds of each other.
 */
import type { Ceiling } from './ceiling.js';
import { startCeiling } from './ceiling.js';
import type { ReadDataset } from './seed.js';
import { measureStep, type StepResult, type StepTarget } from './step.js';
import { READ_SCENARIOS, readSequence, type ReadScenarioName } from './steps.js';
import { medianRatio, neighbourCeiling } from './summary.js';
import type { ThroughputContext } from './throughput.js';
import { runWrk } from './wrk.js';

export interface ReadScenario {
  name: ReadScenarioName;
  path: string;
  /** Sent as `Authorization: Token ...` when set. */
  token: string | undefined;
  description: string;
}

export interface ReadScenarioResult {
  scenario: ReadScenarioName;
  description: string;
  path: string;
  signedIn: boolean;
  /** Size of the answer's body. */
  bytes: number;
  /** One per repetition. */
  steps: StepResult[];
  /** Per repetition: requests/s over the mean of the neighbouring ceiling runs. */
  ratios: (number | undefined)[];
  ratio: number | undefined;
}

export interface ReadsResult {
  connections: number;
  /** The ceiling's page: blog-api's anonymous list, byte for byte. */
  ceilingPageBytes: number;
  contentType: string;
  ceilingPeakRssBytes: number | undefined;
  /** Every ceiling run, in order. */
  ceiling: StepResult[];
  scenarios: ReadScenarioResult[];
}

export function readScenarios(dataset: ReadDataset): ReadScenario[] {
  const all: Record<ReadScenarioName, Omit<ReadScenario, 'name'>> = {
    'list-anonymous': { path: '/api/articles?limit=20', token: undefined, description: 'anonymous list, limit 20' },
    'list-tag': {
      path: `/api/articles?tag=${encodeURIComponent(dataset.tag)}&limit=20`,
      token: undefined,
      description: `anonymous list by tag "${dataset.tag}", limit 20`,
    },
    'list-signed-in': {
      path: '/api/articles?limit=20',
      token: dataset.viewerToken,
      description: `signed-in list, limit 20 (viewer follows ${dataset.follows} authors, favorites ${dataset.favorites} articles)`,
    },
    article: { path: `/api/articles/${dataset.slug}`, token: undefined, description: 'anonymous article by slug' },
  };
  return READ_SCENARIOS.map((name) => ({ name, ...all[name] }));
}

export async function fetchPage(
  baseUrl: string,
  s: Pick<ReadScenario, 'path' | 'token'>,
): Promise<{ bytes: Buffer; contentType: string }> {
  const res = await fetch(baseUrl + s.path, {
    headers: s.token ? { Authorization: `Token ${s.token}` } : {},
    signal: AbortSignal.timeout(10_000),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`GET ${s.path}${s.token ? ' (signed in)' : ''}: status ${res.status}`);
  return { bytes, contentType: res.headers.get('content-type') ?? 'application/json; charset=utf-8' };
}

export async function runReads(
  ctx: ThroughputContext,
  dataset: ReadDataset,
  connections: number,
  repeats: number,
): Promise<ReadsResult> {
  const scenarios = readScenarios(dataset);
  const { service } = ctx;
  const wrkFor = (url: string, token: string | undefined, seconds: number) => ({
    url,
    connections,
    threads: ctx.wrk.threads,
    durationSeconds: seconds,
    timeoutSeconds: ctx.wrk.timeoutSeconds,
    clockTicks: ctx.wrk.clockTicks,
    headers: token ? { Authorization: `Token ${token}` } : undefined,
  });

  ctx.progress.begin('reads:warm');
  // Warm every page (cache fill, JIT) before anything is measured, then take the ceiling's bytes
  // from the warm anonymous list, exactly as blog-api serves it.
  const bytes = new Map<ReadScenarioName, number>();
  for (const s of scenarios) {
    await fetchPage(service.baseUrl, s);
    if (ctx.wrk.warmSeconds > 0) await runWrk(wrkFor(service.baseUrl + s.path, s.token, ctx.wrk.warmSeconds));
    bytes.set(s.name, (await fetchPage(service.baseUrl, s)).bytes.length);
  }
  const anonymous = scenarios.find((s) => s.name === 'list-anonymous');
  if (!anonymous) throw new Error('the anonymous list scenario is missing');
  const page = await fetchPage(service.baseUrl, anonymous);
  let ceiling: Ceiling | undefined;
  try {
    ceiling = await startCeiling({
      root: ctx.root,
      redisUrl: ctx.ceilingRedis.url,
      contentType: page.contentType,
      page: page.bytes,
      logDir: ctx.logDir,
    });
    const served = Buffer.from(await (await fetch(ceiling.url, { signal: AbortSignal.timeout(5000) })).arrayBuffer());
    if (!served.equals(page.bytes)) throw new Error('the ceiling does not serve the exact bytes of the anonymous list page');
    if (ctx.wrk.warmSeconds > 0) await runWrk(wrkFor(ceiling.url, undefined, ctx.wrk.warmSeconds));

    const ceilingTarget: StepTarget = {
      kind: 'ceiling',
      pid: ceiling.pid,
      metricsUrl: undefined,
      redis: ctx.ceilingRedis,
      peakRssBytes: () => ceiling?.peakRssBytes(),
    };
    const sequence = readSequence(
      scenarios.map((s) => s.name),
      repeats,
    );
    const results: (StepResult | undefined)[] = [];
    for (const [i, step] of sequence.entries()) {
      ctx.progress.begin(`reads:${i}`);
      const labels = { repeat: step.repeat, benchStartedAt: ctx.benchStartedAt };
      try {
        if (step.target === 'ceiling') {
          results.push(
            await measureStep(ceilingTarget, wrkFor(ceiling.url, undefined, ctx.wrk.durationSeconds), {
              ...labels,
              scenario: 'ceiling',
            }),
          );
        } else {
          const s = scenarios.find((x) => x.name === step.scenario);
          if (!s) throw new Error(`unknown read scenario ${step.scenario}`);
          results.push(
            await measureStep(ctx.serviceTarget, wrkFor(service.baseUrl + s.path, s.token, ctx.wrk.durationSeconds), {
              ...labels,
              scenario: s.name,
            }),
          );
        }
      } catch (err) {
        // One failed step leaves a gap (its ratio is missing); the sequence goes on.
        ctx.failures.push(`reads step ${i + 1} (${step.target === 'ceiling' ? 'ceiling' : step.scenario}): ${String(err)}`);
        results.push(undefined);
      }
    }
    const rps = results.map((r) => r?.requestsPerSecond);
    return {
      connections,
      ceilingPageBytes: page.bytes.length,
      contentType: page.contentType,
      ceilingPeakRssBytes: ceiling.peakRssBytes(),
      ceiling: results.filter((r): r is StepResult => r?.target === 'ceiling'),
      scenarios: scenarios.map((s) => {
        const indexes = sequence.flatMap((step, i) => (step.target === 'service' && step.scenario === s.name ? [i] : []));
        const ratios = indexes.map((i) => {
          const own = rps[i];
          const around = neighbourCeiling(sequence, rps, i);
          return own === undefined || around === undefined ? undefined : own / around;
        });
        return {
          scenario: s.name,
          description: s.description,
          path: s.path,
          signedIn: s.token !== undefined,
          bytes: bytes.get(s.name) ?? 0,
          steps: indexes.map((i) => results[i]).filter((r): r is StepResult => r !== undefined),
          ratios,
          ratio: medianRatio(ratios),
        };
      }),
    };
  } finally {
    await ceiling?.stop();
  }
}
