/** The report's two plots, built from the throughput results (pure: results in, SVG text out). */
import { foldRuns } from './format.js';
import type { StepResult } from './step.js';
import { barChart, lineChart, type Bar } from './svg.js';
import { P99_LIMIT_MS, stepErrors } from './summary.js';
import type { ThroughputResult } from './throughput.js';

/** Several runs of one step folded: medians of every figure. */
export function medianStep(steps: readonly StepResult[]): StepResult | undefined {
  return steps.length === 0 ? undefined : foldRuns(steps);
}

/** Throughput per scenario against the ceiling: bars, with the 0.6x and 0.4x targets marked. */
export function throughputSvg(t: ThroughputResult, caption: string): string | undefined {
  const reads = t.reads;
  const ceiling = reads ? medianStep(reads.ceiling) : undefined;
  const bars: Bar[] = [];
  if (ceiling)
    bars.push({ label: 'ceiling (Koa + 1 Redis GET)', value: ceiling.requestsPerSecond, kind: 'ceiling', note: '1.00x' });
  for (const s of reads?.scenarios ?? []) {
    const step = medianStep(s.steps);
    if (step)
      bars.push({
        label: s.scenario,
        value: step.requestsPerSecond,
        kind: 'service',
        note: s.ratio === undefined ? undefined : `${s.ratio.toFixed(2)}x ceiling`,
      });
  }
  for (const p of t.ladder?.points ?? []) {
    if (p.scenario !== 'mix') continue;
    bars.push({
      label: `mix 5:1, ${p.connections} conns`,
      value: p.requestsPerSecond,
      kind: 'mix',
      note: `p99 ${p.latencyMs.p99.toFixed(0)} ms`,
    });
  }
  if (bars.length === 0) return undefined;
  return barChart({
    title: 'Requests per second: blog-api against the ceiling',
    subtitle: caption,
    unit: 'req/s',
    bars,
    references: ceiling
      ? [
          { value: ceiling.requestsPerSecond * 0.6, label: 'target 0.6x (anonymous)' },
          { value: ceiling.requestsPerSecond * 0.4, label: '0.4x (signed in)' },
        ]
      : [],
  });
}

/** p99 (and p50) of the mix against connections, log-log, the 400 ms line and the knee marked. */
export function kneeSvg(t: ThroughputResult, caption: string): string | undefined {
  const points = [...(t.ladder?.points ?? [])].sort((a, b) => a.connections - b.connections);
  if (points.length === 0) return undefined;
  const knee = t.ladder?.knee;
  return lineChart({
    title: `5:1 GET:POST mix: latency against connections (pool of ${t.poolSize})`,
    subtitle: `${caption}; a cross marks a step with errors`,
    xLabel: 'connections (wrk -c)',
    yLabel: 'latency, ms (log)',
    series: [
      {
        name: 'p99',
        color: '#2f6fb0',
        points: points.map((p) => ({ x: p.connections, y: Math.max(p.latencyMs.p99, 0.01), bad: stepErrors(p) > 0 })),
      },
      { name: 'p50', color: '#8fb3d9', points: points.map((p) => ({ x: p.connections, y: Math.max(p.latencyMs.p50, 0.01) })) },
    ],
    reference: { y: P99_LIMIT_MS, label: `p99 target ${P99_LIMIT_MS} ms` },
    marker: knee?.connections === undefined ? undefined : { x: knee.connections, label: `knee: ${knee.reason ?? ''}` },
  });
}
