/** The benchmark's command line, turned into a plan (pure; see test/unit/bench-plan.test.ts). */
import { parseArgs } from 'node:util';
import type { ServiceSource } from './service.js';

/**
 * reads   ceiling and read scenarios, interleaved (wrk)
 * mix     the 5:1 GET:POST mix by signed-in users at 16/64/256 connections (wrk + Lua)
 * knee    the mix at rising connections until p99 passes 400 ms or errors appear
 * signup  the write-up's original mix: each user registers, posts, reads 5 times; cache on vs off
 * stall   pool of 20 under a table lock and a burst of list GETs
 * pages   SQL statements per list page for page sizes 1, 20, 100
 */
export type Scenario = 'reads' | 'mix' | 'knee' | 'signup' | 'stall' | 'pages';
export const SCENARIOS: readonly Scenario[] = ['reads', 'mix', 'knee', 'signup', 'stall', 'pages'];
/** The scenarios that run on the one wrk-driven service (seeded once, measured against the ceiling). */
export const THROUGHPUT_SCENARIOS: readonly Scenario[] = ['reads', 'mix', 'knee'];

export type ProfileLoad = 'anonymous' | 'signed-in' | 'mix';

/** Whether a --cpu-prof run profiles the ceiling too: it serves the list page, so the list reads only. */
export const profilesTheCeiling = (load: ProfileLoad): boolean => load !== 'mix';

export interface BenchPlan {
  scenarios: Scenario[];
  /** reads/mix/knee: seconds of each measured wrk run, and of each unmeasured warm-up run. */
  durationSeconds: number;
  warmSeconds: number;
  /** reads: wrk connections (the issue's -c64). */
  connections: number;
  /** reads: repetitions of the whole ceiling/scenario sequence (ratios are medians over them). */
  readRepeats: number;
  /** wrk threads (-t); 1 leaves the other core of a 2-core machine to the server. */
  threads: number;
  /** mix: connection counts whose results the targets judge. */
  mixConnections: number[];
  /** knee: the connection ladder (mix points included), stopped past the knee. */
  kneeConnections: number[];
  /** mix: one POST per this many requests (6 = 5 GETs : 1 POST). */
  postEvery: number;
  /** Seed data of the throughput service. */
  articles: number;
  bodyBytes: number;
  /** signup: concurrent virtual users per run; each runs with the cache on, then off. */
  concurrency: number[];
  /** signup: repetitions of every configuration (tables show the median run by run). */
  repeats: number;
  /** signup: users per run = concurrency × this. */
  usersPerVu: number;
  /** signup: unmeasured users run first on each fresh service (JIT, pools, list index). */
  warmupUsers: number;
  readsPerUser: number;
  /** signup, read-only phase after the mix: list GETs per reader (readers = concurrency). */
  readOnlyReads: number;
  /** signup: no new user starts after this long in one run. */
  mixMaxSeconds: number;
  /** stall. */
  burst: number;
  stallMs: number;
  poolSize: number;
  /** pages. */
  pageSizes: number[];
  pageArticles: number;
  pageRepeats: number;
  pageCacheModes: boolean[];
  /** Instead of the scenarios: profile the warm anonymous list under node --cpu-prof. */
  cpuProfile: boolean;
  /** What is profiled: the list read anonymously, signed in, or the 5:1 mix (one POST per postEvery requests). */
  cpuProfileLoad: ProfileLoad;
  /** Where the SVG plots go (undefined: the run's temporary directory). */
  svgDir: string | undefined;
  json: boolean;
  /** Also write the JSON report to this file. */
  saveJson: string | undefined;
  source: ServiceSource;
  /** A checkout whose dist/ (or app/ with --source) is measured instead of this one. */
  serviceDir: string | undefined;
  logLevel: string;
  /** The measured service's NODE_OPTIONS (V8 heap settings, as a deployment would set them); undefined: none. */
  nodeOptions: string | undefined;
  /** Watchdog: the whole bench is stopped (services too) past this. */
  maxSeconds: number;
  quick: boolean;
}

const nonEmpty = (text: string | undefined) => (text === '' ? undefined : text);

export const USAGE = `usage: npm run bench -- [options]

  --quick                 smoke run (~2 minutes): 2 s wrk steps, one repetition, short stall
  --only LIST             scenarios, comma-separated: reads,mix,knee,signup,stall,pages (default: all)
  --cpu-prof              profile the warm anonymous list under node --cpu-prof instead (also: npm run bench:profile)
  --signed-in             with --cpu-prof: profile the signed-in list instead of the anonymous one
  --mix                   with --cpu-prof: profile the 5:1 GET:POST mix instead

 reads, mix, knee (wrk against one seeded service; reads also against the ceiling):
  --duration S            seconds of each measured wrk run (default 8; --quick 2)
  --warm S                seconds of each unmeasured warm-up run (default 2; --quick 1)
  --connections N         reads: wrk connections (default 64)
  --read-repeats N        reads: repetitions of the ceiling/scenario sequence (default 3; --quick 1)
  --threads N             wrk threads (default 1: the other core stays with the server)
  --mix-connections LIST  mix: connection counts the targets judge (default 16,64,256)
  --knee-max N            knee: highest connection count tried (default 2048; --quick 1024)
  --post-every N          mix: one POST per N requests (default 6, the 5:1 GET:POST mix)
  --articles N            seed articles (default 40)
  --body-bytes N          seed article body size (default 600)

 signup (the write-up's mix through scripts/load.ts: register, post, 5 reads; cache on vs off):
  --concurrency LIST      virtual users at once, comma-separated (default 10,25,50; --quick 10)
  --repeats N             runs of every configuration, tables show medians (default 3; --quick 1)
  --users-per-vu N        users per run = concurrency x N (default 4)
  --warmup N              unmeasured users before each run (default 10)
  --reads N               list reads per user (default 5, the write-up's 5:1)
  --read-only-reads N     list GETs per VU in the read-only phase after each run (default 40)

 stall, pages:
  --burst N               stall: concurrent list GETs during the stall (default 100)
  --stall-ms MS           stall: how long LOCK TABLES articles WRITE is held (default 5000)
  --pool-size N           stall: DB_POOL_SIZE (default 20, the write-up's)
  --page-sizes LIST       pages: limits to measure (default 1,20,100)

 output and runtime:
  --svg-dir DIR           where the two SVG plots go (default docs/bench; --quick or --only: the run's temp dir)
  --json                  print JSON instead of Markdown
  --save-json FILE        also write the JSON report to FILE
  --source                run the service from app/*.ts through tsx instead of dist/
  --service-dir DIR       measure another checkout's build (e.g. a "before" worktree); default this one
  --log-level LEVEL       the service's LOG_LEVEL, logs go to a file (default info)
  --node-options=STR      the measured service's NODE_OPTIONS, e.g. --node-options="--max-old-space-size=128" (default: none)
  --max-seconds S         stop everything after S seconds (default 1500)
  --help
`;

function intList(name: string, text: string, min: number, max: number): number[] {
  const values = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => int(name, s, min, max));
  if (values.length === 0) throw new Error(`--${name} needs at least one value`);
  return values;
}

function int(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${name} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

/**
 * The knee's ladder: the mix points plus doublings (quadruplings with --quick) from the smallest
 * up to `max`, ascending and without repeats.
 */
export function kneeLadder(mixConnections: readonly number[], max: number, factor: number): number[] {
  const points = new Set(mixConnections.filter((c) => c <= max));
  for (let c = Math.min(...mixConnections); c <= max; c *= factor) points.add(c);
  return [...points].sort((a, b) => a - b);
}

/** Parses argv (without node and script); returns undefined for --help. Throws on bad input. */
export function parsePlan(argv: readonly string[]): BenchPlan | undefined {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      'signed-in': { type: 'boolean', default: false },
      mix: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warm: { type: 'string' },
      connections: { type: 'string' },
      'read-repeats': { type: 'string' },
      threads: { type: 'string' },
      'mix-connections': { type: 'string' },
      'knee-max': { type: 'string' },
      'post-every': { type: 'string' },
      articles: { type: 'string' },
      'body-bytes': { type: 'string' },
      concurrency: { type: 'string' },
      'users-per-vu': { type: 'string' },
      repeats: { type: 'string' },
      warmup: { type: 'string' },
      reads: { type: 'string' },
      'read-only-reads': { type: 'string' },
      burst: { type: 'string' },
      'stall-ms': { type: 'string' },
      'pool-size': { type: 'string' },
      'page-sizes': { type: 'string' },
      'svg-dir': { type: 'string' },
      source: { type: 'boolean', default: false },
      'service-dir': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      'node-options': { type: 'string' },
      'max-seconds': { type: 'string', default: '1500' },
      json: { type: 'boolean', default: false },
      'save-json': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const quick = values.quick;
  let scenarios = [...SCENARIOS];
  if (values.only !== undefined) {
    const wanted = values.only
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    for (const s of wanted) {
      if (!SCENARIOS.includes(s as Scenario))
        throw new Error(`--only: unknown scenario "${s}" (${SCENARIOS.join(', ')}; the old "mix" with sign-ups is now "signup")`);
    }
    if (wanted.length === 0) throw new Error('--only needs at least one scenario');
    scenarios = SCENARIOS.filter((s) => wanted.includes(s));
  }
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(values['log-level'])) throw new Error(`--log-level must be one of ${levels.join(', ')}`);
  if ((values['signed-in'] || values.mix) && !values['cpu-prof'])
    throw new Error('--signed-in and --mix apply to --cpu-prof only');
  if (values['signed-in'] && values.mix) throw new Error('--signed-in or --mix, not both');
  const opt = (name: string, text: string | undefined, fallback: number, min: number, max: number) =>
    text === undefined ? fallback : int(name, text, min, max);
  const mixConnections = values['mix-connections']
    ? intList('mix-connections', values['mix-connections'], 1, 10_000)
    : [16, 64, 256];
  const kneeMax = opt('knee-max', values['knee-max'], quick ? 1024 : 2048, 1, 10_000);
  return {
    scenarios,
    durationSeconds: opt('duration', values.duration, quick ? 2 : 8, 1, 600),
    warmSeconds: opt('warm', values.warm, quick ? 1 : 2, 0, 60),
    connections: opt('connections', values.connections, 64, 1, 10_000),
    readRepeats: opt('read-repeats', values['read-repeats'], quick ? 1 : 3, 1, 20),
    threads: opt('threads', values.threads, 1, 1, 64),
    mixConnections: [...new Set(mixConnections)].sort((a, b) => a - b),
    kneeConnections: kneeLadder(mixConnections, Math.max(kneeMax, ...mixConnections), quick ? 4 : 2),
    postEvery: opt('post-every', values['post-every'], 6, 2, 1000),
    articles: opt('articles', values.articles, 40, 1, 1000),
    bodyBytes: opt('body-bytes', values['body-bytes'], 600, 1, 100_000),
    concurrency: values.concurrency ? intList('concurrency', values.concurrency, 1, 1000) : quick ? [10] : [10, 25, 50],
    repeats: opt('repeats', values.repeats, quick ? 1 : 3, 1, 20),
    usersPerVu: opt('users-per-vu', values['users-per-vu'], quick ? 2 : 4, 1, 100),
    warmupUsers: opt('warmup', values.warmup, quick ? 4 : 10, 0, 1000),
    readsPerUser: opt('reads', values.reads, 5, 1, 100),
    readOnlyReads: opt('read-only-reads', values['read-only-reads'], quick ? 10 : 40, 0, 10_000),
    mixMaxSeconds: quick ? 30 : 120,
    burst: opt('burst', values.burst, quick ? 50 : 100, 1, 1000),
    stallMs: opt('stall-ms', values['stall-ms'], quick ? 2000 : 5000, 100, 60_000),
    poolSize: opt('pool-size', values['pool-size'], 20, 1, 200),
    pageSizes: values['page-sizes'] ? intList('page-sizes', values['page-sizes'], 1, 100) : [1, 20, 100],
    pageArticles: 100,
    pageRepeats: quick ? 5 : 20,
    pageCacheModes: quick ? [false] : [false, true],
    cpuProfile: values['cpu-prof'],
    cpuProfileLoad: values.mix ? 'mix' : values['signed-in'] ? 'signed-in' : 'anonymous',
    // Only a full run replaces the committed plots; a partial or smoke run's go to its temp dir.
    svgDir: values['svg-dir'] ?? (quick || values.only !== undefined ? undefined : 'docs/bench'),
    json: values.json,
    saveJson: values['save-json'],
    source: values.source ? 'source' : 'dist',
    serviceDir: values['service-dir'],
    logLevel: values['log-level'],
    nodeOptions: nonEmpty(values['node-options']?.trim()),
    maxSeconds: int('max-seconds', values['max-seconds'], 10, 7200),
    quick,
  };
}
