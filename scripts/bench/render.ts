/** The benchmark's results as Markdown (pure: results in, text out). */
import { markdownTable, ms, num, ratio, times } from './format.js';
import type { PageResult } from './pages.js';
import { renderSignup } from './render-signup.js';
import { renderThroughput, type PlotLinks } from './render-throughput.js';
import type { SignupMixResult } from './signup-mix.js';
import type { StallResult } from './stall.js';
import type { ThroughputResult } from './throughput.js';

/** What was measured: the commit, and the service files changed in the working tree then. */
export interface Source {
  commit: string;
  dirty: string[];
  service: 'dist' | 'source';
  /** The service's NODE_OPTIONS (--node-options), undefined when none. */
  nodeOptions?: string | undefined;
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
  /** Scenarios reads, mix and knee (one service, wrk, against the ceiling). */
  throughput: ThroughputResult | undefined;
  /** Where the plots were written, as the report links them. */
  plots: PlotLinks;
  signup: SignupMixResult[];
  stall: StallResult[];
  pages: PageResult[];
  /** Configurations that failed, with the error (the rest still ran). */
  failures: string[];
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
    `Service: commit ${r.source.commit}${r.source.dirty.length > 0 ? ` plus uncommitted changes to ${r.source.dirty.join(', ')}` : ''}, run from ${r.source.service === 'dist' ? '`dist/` (npm run build)' : 'the TypeScript sources through tsx'}` +
      `${r.source.nodeOptions ? ` with NODE_OPTIONS="${r.source.nodeOptions}"` : ''}.`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${num(m.memoryGiB, 1)} GiB RAM, Linux ${m.kernel}; Node ${m.node}; MariaDB ${m.mariadb}; Redis ${m.redis}. 1-minute load average ${num(m.loadAverage.start, 2)} before the run, ${num(m.loadAverage.end, 2)} after.`,
  ];
  if (r.throughput)
    out.push(
      '',
      '## Throughput against the ceiling: reads, the 5:1 mix, the knee',
      '',
      ...renderThroughput(r.throughput, r.plots),
    );
  if (r.signup.length > 0) out.push('', "## The write-up's mix with sign-ups, cache on vs off", '', ...renderSignup(r.signup));
  if (r.stall.length > 0)
    out.push('', '## Pool exhaustion: a table lock during a burst of list GETs (cache off)', '', ...stallTables(r.stall));
  if (r.pages.length > 0) out.push('', '## SQL statements per list page', '', ...pageTables(r.pages));
  if (r.failures.length > 0) out.push('', '## Failures', '', ...r.failures.map((f) => `- ${f}`));
  return `${out.join('\n')}\n`;
}
