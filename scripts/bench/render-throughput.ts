/** Markdown for scenarios reads, mix and knee (pure: results in, text out). */
import { foldRuns, markdownTable, ms, num, times } from './format.js';
import { medianStep } from './plots.js';
import { commandsPerRequest } from './redis-stats.js';
import type { StepResult } from './step.js';
import { checkTargets, stepErrors } from './summary.js';
import type { ThroughputResult } from './throughput.js';

const mb = (bytes: number | undefined) => (bytes === undefined ? '–' : (bytes / 1e6).toFixed(0));

/** Repetitions folded: medians of every figure, errors and Redis calls summed. */
function folded(steps: readonly StepResult[]): StepResult | undefined {
  const m = medianStep(steps);
  if (!m) return undefined;
  return {
    ...m,
    errors: foldRuns(
      steps.map((s) => s.errors),
      'sum',
    ),
    requests: steps.reduce((a, s) => a + s.requests, 0),
    serverErrors: steps.every((s) => s.serverErrors !== undefined)
      ? steps.reduce((a, s) => a + (s.serverErrors ?? 0), 0)
      : undefined,
    serverRequests: steps.every((s) => s.serverRequests !== undefined)
      ? steps.reduce((a, s) => a + (s.serverRequests ?? 0), 0)
      : undefined,
    redisCommands: foldRuns(
      steps.map((s) => s.redisCommands),
      'sum',
    ),
    rssPeakSampledBytes: Math.max(...steps.map((s) => s.rssPeakSampledBytes ?? 0)) || undefined,
    vmHwmBytes: Math.max(...steps.map((s) => s.vmHwmBytes ?? 0)) || undefined,
  };
}

/** wrk's errors, split, and the service's count of answers >= 400 when it differs. */
function errorsCell(s: StepResult): string {
  const parts: string[] = [];
  if (s.errors.total > 0) parts.push(`${s.errors.status} status, ${s.errors.socket} socket`);
  if (s.serverErrors !== undefined && s.serverErrors !== s.errors.status) parts.push(`service counted ${s.serverErrors} >= 400`);
  return `${stepErrors(s)}${parts.length > 0 ? ` (${parts.join('; ')})` : ''}`;
}

function row(name: string, s: StepResult, ratio: number | undefined, runs: number): string[] {
  const denominator = s.serverRequests ?? s.requests;
  return [
    name,
    String(s.connections),
    runs > 1 ? `${num(s.requestsPerSecond, 0)} (median of ${runs})` : num(s.requestsPerSecond, 0),
    s.target === 'ceiling' ? '1.00×' : times(ratio),
    ms(s.latencyMs.p50),
    ms(s.latencyMs.p99),
    ms(s.latencyMs.max),
    errorsCell(s),
    s.target === 'ceiling' ? '–' : num(s.sqlPerRequest, 2),
    s.redisPerRequest === undefined ? '–' : `${num(s.redisPerRequest, 1)} (${commandsPerRequest(s.redisCommands, denominator)})`,
    num(s.serverCpuMicrosPerRequest, 0),
    num(s.redisCpuMicrosPerRequest, 0),
    `${mb(s.rssPeakSampledBytes)} / ${mb(s.vmHwmBytes)}`,
  ];
}

export interface PlotLinks {
  throughput: string | undefined;
  knee: string | undefined;
}

export function renderThroughput(t: ThroughputResult, plots: PlotLinks): string[] {
  const out: string[] = [];
  const d = t.dataset;
  out.push(
    `One blog-api process (pool of ${t.poolSize}, cache on, a private Redis), seeded through its API with ${d.articles} articles ` +
      `(${d.bodyBytes}-byte bodies, topic tags, "${d.tag}" on every other one), a viewer who follows ${d.follows} of the authors ` +
      `and favorites ${d.favorites} articles, and ${d.posters} users who post in the mix. ` +
      `Load: wrk -t${t.wrk.threads}, ${t.wrk.durationSeconds} s per measured step after ${t.wrk.warmSeconds} s warm-ups; ` +
      `wrk used ${num(t.loadgenCpuSecondsPer10k, 2)} CPU seconds per 10k requests.`,
    '',
  );
  const reads = t.reads;
  const rows: string[][] = [];
  if (reads) {
    const ceiling = folded(reads.ceiling);
    if (ceiling) rows.push(row('ceiling: bare Koa, 1 Redis GET', ceiling, 1, reads.ceiling.length));
    for (const s of reads.scenarios) {
      const f = folded(s.steps);
      if (f) rows.push(row(s.scenario, f, s.ratio, s.steps.length));
    }
  }
  for (const p of t.ladder?.points ?? []) rows.push(row(`${p.scenario} 5:1 GET:POST`, p, undefined, 1));
  out.push(
    markdownTable(
      [
        'scenario',
        'conns',
        'req/s',
        'ratio to ceiling',
        'p50 ms',
        'p99 ms',
        'max ms',
        'errors',
        'SQL / req',
        'Redis cmds / req (by command)',
        'server CPU µs / req',
        'Redis CPU µs / req',
        'RSS MB: peak in step / VmHWM since seeding',
      ],
      rows,
    ),
  );
  if (reads) {
    out.push(
      '',
      `Read scenarios: ${reads.scenarios.map((s) => `${s.scenario} = \`GET ${s.path}\`${s.signedIn ? ' signed in' : ''} (${s.bytes} bytes)`).join('; ')}. ` +
        `The ceiling serves blog-api's anonymous list page byte for byte (${reads.ceilingPageBytes} bytes, \`${reads.contentType}\`); ` +
        `each scenario's ratio is its requests/s over the mean of the ceiling runs right before and after it` +
        `${reads.scenarios.some((s) => s.ratios.length > 1) ? ', median over repetitions' : ''}. ` +
        `Ceiling runs in order (req/s): ${reads.ceiling.map((c) => num(c.requestsPerSecond, 0)).join(', ')}; ` +
        `the ceiling row's RSS is the ceiling's own process (VmHWM ${mb(reads.ceilingPeakRssBytes)} MB), every other row's is blog-api's. ` +
        `Server CPU per request is the serving process's user + system time over the requests wrk completed (/proc/<pid>/stat, 10 ms ticks): ` +
        `on a shared machine it says what a request costs even when requests per second say how much CPU the process happened to get. ` +
        `Redis CPU per request is the same for the target's private redis-server: the work its commands and scripts cost on the same two cores.`,
    );
  }
  const ladder = t.ladder;
  if (ladder) {
    const timeouts = ladder.points.map((p) => `${p.connections}: ${num(p.poolAcquireTimeouts)}`).join(', ');
    const shed = ladder.points
      .filter((p) => p.shed && Object.keys(p.shed).length > 0)
      .map((p) => `${p.connections}: ${JSON.stringify(p.shed)}`);
    const statuses = ladder.points
      .filter((p) => p.serverStatuses)
      .map((p) => `${p.connections}: ${JSON.stringify(p.serverStatuses)}`)
      .join('; ');
    out.push(
      '',
      `Mix: one POST /api/articles (a signed-in user creating an article) per ${ladder.postEvery} requests, the rest anonymous \`GET /api/articles?limit=20\`. ` +
        `Pool acquire timeouts by connections: ${timeouts}. ${shed.length > 0 ? `Shed: ${shed.join('; ')}. ` : ''}Statuses the service counted: ${statuses}.`,
    );
    const mix64 = ladder.points.find((p) => p.connections === 64) ?? ladder.points[0];
    if (mix64?.statements && mix64.meanMsByMethod) {
      const posts = mix64.serverStatuses?.['201'] ?? 0;
      const perPost = Object.entries(mix64.statements)
        .filter(([, d]) => d.count > 0)
        .sort(([, a], [, b]) => b.count * b.meanMs - a.count * a.meanMs)
        .map(([op, d]) => `${op} ${num(posts > 0 ? d.count / posts : undefined, 2)}× ${num(d.meanMs, 2)} ms`);
      out.push(
        '',
        `Where a write's time goes (mix at ${mix64.connections} connections, the service's own histograms): a request took ` +
          `${Object.entries(mix64.meanMsByMethod)
            .map(([m, v]) => `${m} ${num(v, 1)} ms`)
            .join(
              ', ',
            )} on average inside the service; SQL statements per POST (count, mean duration): ${perPost.join('; ') || 'none'}.`,
      );
    }
    if (ladder.kneeSearched) {
      const k = ladder.knee;
      out.push(
        '',
        k.connections === undefined
          ? `Knee: not reached up to ${Math.max(...ladder.points.map((p) => p.connections))} connections (p99 stayed within 400 ms, no errors).`
          : `Knee: at ${k.connections} connections (${k.reason ?? ''}); ${k.lastGood === undefined ? 'no step was within 400 ms p99 without errors' : `the last step within 400 ms p99 and without errors had ${k.lastGood} connections`}.`,
      );
    }
  }
  const serviceSteps = [...(reads?.scenarios.flatMap((s) => s.steps) ?? []), ...(ladder?.points ?? [])];
  const peakOf = (pick: (s: StepResult) => number | undefined) =>
    Math.max(0, ...serviceSteps.map((s) => pick(s) ?? 0)) || undefined;
  out.push(
    '',
    `blog-api's memory over seeding, reads, mix and knee: idle ${mb(t.serviceIdleRssBytes)} MB after start, ` +
      `VmHWM ${mb(t.serviceSeededHwmBytes)} MB after seeding (its ${d.signUps} sign-ups hash with scrypt, 32 MiB each), ` +
      (t.serviceServingPeakRssBytes === undefined
        ? ''
        : `VmHWM ${mb(t.serviceServingPeakRssBytes)} MB from the first wrk step on (reset after seeding), `) +
      `VmRSS sampled every 250 ms peaked at ${mb(peakOf((s) => s.rssPeakSampledBytes))} MB, ` +
      `process_resident_memory_bytes after the steps at most ${mb(peakOf((s) => s.rssAfterBytes))} MB, ` +
      `of which the V8 heap at most ${mb(peakOf((s) => s.heapTotalAfterBytes))} MB committed ` +
      `(${mb(peakOf((s) => s.heapUsedAfterBytes))} MB in use); ` +
      `whole-life peak ${mb(t.servicePeakRssBytes)} MB (the target below).`,
  );
  const anonymous = reads?.scenarios.find((s) => s.scenario === 'list-anonymous');
  const signedIn = reads?.scenarios.find((s) => s.scenario === 'list-signed-in');
  const checks = checkTargets({
    anonymousRatio: anonymous?.ratio,
    signedInRatio: signedIn?.ratio,
    mix64: ladder?.points.find((p) => p.connections === 64 && p.scenario === 'mix'),
    mix256: ladder?.points.find((p) => p.connections === 256 && p.scenario === 'mix'),
    throughputPeakRssBytes: t.servicePeakRssBytes,
    servingPeakRssBytes: t.serviceServingPeakRssBytes,
    poolSize: t.poolSize,
  });
  out.push(
    '',
    "The issue's targets:",
    '',
    markdownTable(
      ['target', 'measured', 'result'],
      checks.map((c) => [c.target, c.measured, c.pass === undefined ? 'not run' : c.pass ? 'pass' : '**FAIL**']),
    ),
  );
  const links = [
    plots.throughput ? `![Requests per second against the ceiling](${plots.throughput})` : undefined,
    plots.knee ? `![p99 against connections](${plots.knee})` : undefined,
  ].filter((l): l is string => l !== undefined);
  if (links.length > 0) out.push('', ...links.flatMap((l) => [l, '']));
  return out;
}
