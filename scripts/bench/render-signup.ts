/** Markdown for scenario signup, the write-up's mix with sign-ups, cache on vs off (pure). */
import { foldRuns, markdownTable, mib, ms, num, pct, ratio, times, verdict } from './format.js';
import type { SignupMixResult } from './signup-mix.js';

/** Targets from the write-up. */
export const TARGETS = { p99Ms: 400, success: 0.99, hitRatio: 0.8 } as const;

export interface SignupMixPair {
  concurrency: number;
  on: SignupMixResult;
  off: SignupMixResult;
}

/**
 * One record per configuration (concurrency, cache): the median over its repetitions, metric by
 * metric; statuses, shed reasons and stale reads are summed over the repetitions.
 */
export function foldSignupMix(mix: readonly SignupMixResult[]): SignupMixResult[] {
  const groups = new Map<string, SignupMixResult[]>();
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
export function pairSignupMix(mix: readonly SignupMixResult[]): SignupMixPair[] {
  const pairs: SignupMixPair[] = [];
  for (const on of mix.filter((m) => m.cache === 'on')) {
    const off = mix.find((m) => m.cache === 'off' && m.concurrency === on.concurrency);
    if (off) pairs.push({ concurrency: on.concurrency, on, off });
  }
  return pairs;
}

export function renderSignup(runs: readonly SignupMixResult[]): string[] {
  const mix = foldSignupMix(runs);
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
  const pairs = pairSignupMix(mix);
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
