/** The benchmark's results as Markdown (pure: results in, text out). */
import { foldRuns, markdownTable, mib, ms, num, pct, ratio, times, verdict } from './format.js';
import type { MixResult } from './mix.js';
import type { PageResult } from './pages.js';
import type { StallResult } from './stall.js';

/** What was measured: the commit, and the service files changed in the working tree then. */
export interface Source {
  commit: string;
  dirty: string[];
  service: 'dist' | 'source';
}

export interface Machine {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  mariadb: string;
  redis: string;
  /** 1-minute load average before and after the run: anything else busy on the machine shows here. */
  loadAverage: { start: number; end: number };
}

export interface BenchReport {
  command: string;
  startedAt: string;
  durationSeconds: number;
  machine: Machine;
  source: Source;
  plan: Record<string, unknown>;
  mix: MixResult[];
  stall: StallResult[];
  pages: PageResult[];
  /** Configurations that failed, with the error (the rest still ran). */
  failures: string[];
}

/** Targets from the write-up. */
export const TARGETS = { p99Ms: 400, success: 0.99, hitRatio: 0.8 } as const;

export interface MixRatio {
  concurrency: number;
  on: MixResult;
  off: MixResult;
}

/**
 * One record per configuration (concurrency, cache): the median over its repetitions, metric by
 * metric; statuses, shed reasons and stale reads are summed over the repetitions.
 */
export function foldMix(mix: readonly MixResult[]): MixResult[] {
  const groups = new Map<string, MixResult[]>();
  for (const m of mix) {
    const key = `${String(m.concurrency).padStart(6, '0')} ${m.cache === 'on' ? 0 : 1}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, runs]) => ({
      ...foldRuns(runs),
      run: runs.length,
      statuses: foldRuns(
        runs.map((r) => r.statuses),
        'sum',
      ),
      shed: foldRuns(
        runs.map((r) => r.shed),
        'sum',
      ),
      staleReads: runs.reduce((a, r) => a + r.staleReads, 0),
      staleExamples: runs.flatMap((r) => r.staleExamples).slice(0, 3),
    }));
}

/** Cache-on and cache-off runs at the same concurrency, paired. */
export function pairMix(mix: readonly MixResult[]): MixRatio[] {
  const pairs: MixRatio[] = [];
  for (const on of mix.filter((m) => m.cache === 'on')) {
    const off = mix.find((m) => m.cache === 'off' && m.concurrency === on.concurrency);
    if (off) pairs.push({ concurrency: on.concurrency, on, off });
  }
  return pairs;
}

function mixTables(runs: readonly MixResult[]): string[] {
  const mix = foldMix(runs);
  const repeats = Math.max(...mix.map((m) => m.run));
  const out: string[] = [];
  if (repeats > 1)
    out.push(
      `Each configuration ran ${repeats} times on a fresh service; the tables show the median of each figure over the runs, the last table every run.`,
      '',
    );
  out.push(
    markdownTable(
      [
        'VUs',
        'cache',
        'users',
        'requests',
        'errors',
        'success',
        'req/s',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
        '≤ 400 ms',
        'hit ratio (hits / misses)',
        'SQL / list GET',
        'SQL / request',
        'RSS MiB idle / peak sampled / VmHWM',
        'peak in-flight',
        'peak event-loop lag p99 ms',
      ],
      mix.map((m) => [
        String(m.concurrency),
        m.cache,
        String(m.users),
        String(m.requests),
        String(m.errors),
        pct(m.successRatio, 2),
        num(m.requestsPerSecond, 1),
        ms(m.latencyMs.p50),
        ms(m.latencyMs.p90),
        ms(m.latencyMs.p99),
        ms(m.latencyMs.max),
        pct(m.within400),
        m.cache === 'on' ? `${num(m.hitRatio, 3)} (${num(m.cacheHits)} / ${num(m.cacheMisses)})` : 'off',
        num(m.sqlPerListGet, 3),
        num(m.sqlPerRequest, 2),
        `${mib(m.idleRssBytes)} / ${mib(m.peaks.rssBytes)} / ${mib(m.peakRssHwmBytes)}`,
        num(m.peaks.inFlight),
        ms(m.peaks.eventLoopLagP99Seconds === undefined ? undefined : m.peaks.eventLoopLagP99Seconds * 1000),
      ]),
    ),
  );
  out.push('', 'Latency by request kind (client side, ms; list GETs are the anonymous `GET /api/articles?limit=20`):', '');
  out.push(
    markdownTable(
      [
        'VUs',
        'cache',
        'list GETs',
        'list/s',
        'list p50',
        'list p90',
        'list p99',
        'list ≤ 400 ms',
        'post p50',
        'post p99',
        'post errors',
        'InnoDB deadlocks',
        'register p50',
        'register p99',
        'register max',
        'register errors',
      ],
      mix.map((m) => [
        String(m.concurrency),
        m.cache,
        String(m.byKind.list.count),
        num(m.listGetsPerSecond, 1),
        ms(m.byKind.list.p50),
        ms(m.byKind.list.p90),
        ms(m.byKind.list.p99),
        pct(m.byKind.list.within400),
        ms(m.byKind.post.p50),
        ms(m.byKind.post.p99),
        `${m.byKind.post.errors} of ${m.byKind.post.count}`,
        num(m.innodbDeadlocks),
        ms(m.byKind.register.p50),
        ms(m.byKind.register.p99),
        ms(m.byKind.register.max),
        `${m.byKind.register.errors} of ${m.byKind.register.count}`,
      ]),
    ),
  );
  out.push(
    '',
    'Read-only phase after each mix run (same service, warm): every VU sends list GETs back to back, no registration competing for the CPU:',
    '',
  );
  out.push(
    markdownTable(
      ['VUs', 'cache', 'GETs', 'errors', 'GETs/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', '≤ 400 ms', 'hit ratio', 'SQL / GET'],
      mix.map((m) => [
        String(m.concurrency),
        m.cache,
        String(m.readOnly.requests),
        String(m.readOnly.errors),
        num(m.readOnly.requestsPerSecond, 1),
        ms(m.readOnly.latencyMs.p50),
        ms(m.readOnly.latencyMs.p90),
        ms(m.readOnly.latencyMs.p99),
        ms(m.readOnly.latencyMs.max),
        pct(m.readOnly.within400),
        m.cache === 'on' ? num(m.readOnly.hitRatio, 3) : 'off',
        num(m.readOnly.sqlPerGet, 3),
      ]),
    ),
  );
  const pairs = pairMix(mix);
  if (pairs.length > 0) {
    out.push(
      '',
      'Cache on vs off at the same concurrency, same run of the bench (mix = scenario above, read-only = phase above):',
      '',
    );
    out.push(
      markdownTable(
        [
          'VUs',
          'mix list p50 off/on',
          'mix list p99 off/on',
          'mix all p99 off/on',
          'mix req/s on/off',
          'read-only p50 off/on',
          'read-only p99 off/on',
          'read-only GETs/s on/off',
          'SQL / list GET (off → on)',
          'SQL / request (off → on)',
          'peak RSS on/off (VmHWM)',
        ],
        pairs.map(({ concurrency, on, off }) => [
          String(concurrency),
          times(ratio(off.byKind.list.p50, on.byKind.list.p50)),
          times(ratio(off.byKind.list.p99, on.byKind.list.p99)),
          times(ratio(off.latencyMs.p99, on.latencyMs.p99)),
          times(ratio(on.requestsPerSecond, off.requestsPerSecond)),
          times(ratio(off.readOnly.latencyMs.p50, on.readOnly.latencyMs.p50)),
          times(ratio(off.readOnly.latencyMs.p99, on.readOnly.latencyMs.p99)),
          times(ratio(on.readOnly.requestsPerSecond, off.readOnly.requestsPerSecond)),
          `${num(off.sqlPerListGet, 3)} → ${num(on.sqlPerListGet, 3)}`,
          `${num(off.sqlPerRequest, 2)} → ${num(on.sqlPerRequest, 2)}`,
          times(ratio(on.peakRssHwmBytes, off.peakRssHwmBytes)),
        ]),
      ),
    );
  }
  out.push('', "Against the write-up's targets:", '');
  out.push(
    markdownTable(
      [
        'VUs',
        'cache',
        `success ≥ ${pct(TARGETS.success, 0)}`,
        `p99 < ${TARGETS.p99Ms} ms (all requests)`,
        `list p99 < ${TARGETS.p99Ms} ms`,
        `read-only p99 < ${TARGETS.p99Ms} ms`,
        `hit ratio ≥ ${TARGETS.hitRatio}`,
      ],
      mix.map((m) => [
        String(m.concurrency),
        m.cache,
        `${verdict(m.successRatio, TARGETS.success, 'higher')} (${pct(m.successRatio, 2)})`,
        `${verdict(m.latencyMs.p99, TARGETS.p99Ms, 'lower')} (${ms(m.latencyMs.p99)})`,
        `${verdict(m.byKind.list.p99, TARGETS.p99Ms, 'lower')} (${ms(m.byKind.list.p99)})`,
        `${verdict(m.readOnly.latencyMs.p99, TARGETS.p99Ms, 'lower')} (${ms(m.readOnly.latencyMs.p99)})`,
        m.cache === 'on' ? `${verdict(m.hitRatio, TARGETS.hitRatio, 'higher')} (${num(m.hitRatio, 3)})` : 'cache off',
      ]),
    ),
  );
  const extra = mix.filter((m) => m.staleReads > 0 || Object.keys(m.shed).length > 0 || m.errors > 0);
  if (extra.length > 0) out.push('', 'Errors and stale-read flags, summed over the runs:', '');
  for (const m of extra) {
    out.push(
      `- ${m.concurrency} VUs, cache ${m.cache}: statuses ${JSON.stringify(m.statuses)}, shed ${JSON.stringify(m.shed)}, ` +
        `load.ts stale-read flags ${m.staleReads}${m.staleExamples[0] ? ` (e.g. "${m.staleExamples[0]}")` : ''}`,
    );
  }
  if (repeats > 1) {
    out.push('', 'Every run:', '');
    out.push(
      markdownTable(
        [
          'VUs',
          'cache',
          'run',
          'req/s',
          'errors',
          'p99 ms',
          'list p50 ms',
          'list p99 ms',
          'register p50 ms',
          'post p50 ms',
          'read-only GETs/s',
          'read-only p99 ms',
          'VmHWM MiB',
        ],
        [...runs]
          .sort((a, b) => a.concurrency - b.concurrency || a.cache.localeCompare(b.cache) * -1 || a.run - b.run)
          .map((m) => [
            String(m.concurrency),
            m.cache,
            String(m.run),
            num(m.requestsPerSecond, 1),
            String(m.errors),
            ms(m.latencyMs.p99),
            ms(m.byKind.list.p50),
            ms(m.byKind.list.p99),
            ms(m.byKind.register.p50),
            ms(m.byKind.post.p50),
            num(m.readOnly.requestsPerSecond, 1),
            ms(m.readOnly.latencyMs.p99),
            mib(m.peakRssHwmBytes),
          ]),
      ),
    );
  }
  return out;
}

function stallTables(stall: readonly StallResult[]): string[] {
  const out: string[] = [];
  out.push(
    markdownTable(
      [
        'settings',
        'pool / acquire / statement / queue',
        'stall ms',
        'burst',
        '200',
        '503',
        'other',
        '503 p50 ms',
        '503 p99 ms',
        '200 p50 ms',
        'longest held ms',
        'answered ≤ 1.5 s',
        'shed reasons',
        'pool acquire timeouts',
        'peak in-flight',
        'peak waiting',
        'recovery ms',
        'last answer after unlock ms',
      ],
      stall.map((s) => [
        s.label,
        `${s.settings.poolSize} / ${s.settings.acquireTimeoutMs} / ${s.settings.statementTimeoutMs} / ${s.settings.queueLimit}`,
        ms(s.stallMs),
        String(s.burst),
        String(s.served),
        String(s.shed),
        String(s.burst - s.served - s.shed),
        ms(s.shedLatencyMs?.p50),
        ms(s.shedLatencyMs?.p99),
        ms(s.servedLatencyMs?.p50),
        ms(s.longestHeldMs),
        String(s.answeredWithin1500),
        Object.entries(s.shedReasons)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none',
        num(s.acquireTimeouts),
        num(s.peaks.inFlight),
        num(s.peaks.poolWaiting),
        ms(s.recoveryMs),
        ms(s.drainMs),
      ]),
    ),
  );
  const [a, b] = stall;
  if (a && b) {
    out.push(
      '',
      `${b.label} vs ${a.label}: longest held ${times(ratio(b.longestHeldMs, a.longestHeldMs))}, ` +
        `median time to answer ${times(ratio(b.latencyMs.p50, a.latencyMs.p50))}, ` +
        `answered within 1.5 s ${a.answeredWithin1500} vs ${b.answeredWithin1500} of ${a.burst}.`,
    );
  }
  return out;
}

function pageTables(pages: readonly PageResult[]): string[] {
  return [
    markdownTable(
      ['cache', 'viewer', 'limit', 'articles on page', 'GETs', 'SQL statements / GET', 'p50 ms', 'p90 ms'],
      pages.map((p) => [
        p.cache,
        p.viewer,
        String(p.limit),
        String(p.articlesOnPage),
        String(p.requests),
        num(p.statementsPerGet, 2),
        ms(p.latencyMs.p50),
        ms(p.latencyMs.p90),
      ]),
    ),
  ];
}

export function renderMarkdown(r: BenchReport): string {
  const m = r.machine;
  const out: string[] = [
    `# blog-api benchmark, ${r.startedAt}`,
    '',
    `Command: \`${r.command}\` (${num(r.durationSeconds)} s)`,
    '',
    `Service: commit ${r.source.commit}${r.source.dirty.length > 0 ? ` plus uncommitted changes to ${r.source.dirty.join(', ')}` : ''}, run from ${r.source.service === 'dist' ? '`dist/` (npm run build)' : 'the TypeScript sources through tsx'}.`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${num(m.memoryGiB, 1)} GiB RAM, Linux ${m.kernel}; Node ${m.node}; MariaDB ${m.mariadb}; Redis ${m.redis}. 1-minute load average ${num(m.loadAverage.start, 2)} before the run, ${num(m.loadAverage.end, 2)} after.`,
  ];
  if (r.mix.length > 0) out.push('', '## 1. The 5:1 GET:POST mix, cache on vs off', '', ...mixTables(r.mix));
  if (r.stall.length > 0)
    out.push('', '## 2. Pool exhaustion: a table lock during a burst of list GETs (cache off)', '', ...stallTables(r.stall));
  if (r.pages.length > 0) out.push('', '## 3. SQL statements per list page', '', ...pageTables(r.pages));
  if (r.failures.length > 0) out.push('', '## Failures', '', ...r.failures.map((f) => `- ${f}`));
  return `${out.join('\n')}\n`;
}
