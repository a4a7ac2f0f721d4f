/** The benchmark's command line, turned into a plan (pure; see test/unit/bench-plan.test.ts). */
import { parseArgs } from 'node:util';
import type { ServiceSource } from './service.js';

export type Scenario = 'mix' | 'stall' | 'pages';
export const SCENARIOS: readonly Scenario[] = ['mix', 'stall', 'pages'];

export interface BenchPlan {
  scenarios: Scenario[];
  /** Scenario 1: concurrent virtual users per run; each runs with the cache on, then off. */
  concurrency: number[];
  /** Scenario 1: repetitions of every configuration (tables show the median run by run). */
  repeats: number;
  /** Scenario 1: users per run = concurrency × this. */
  usersPerVu: number;
  /** Scenario 1: unmeasured users run first on each fresh service (JIT, pools, list index). */
  warmupUsers: number;
  readsPerUser: number;
  /** Scenario 1, read-only phase after the mix: list GETs per reader (readers = concurrency). */
  readOnlyReads: number;
  /** Scenario 1: no new user starts after this long in one run. */
  mixMaxSeconds: number;
  /** Scenario 2. */
  burst: number;
  stallMs: number;
  poolSize: number;
  /** Scenario 3. */
  pageSizes: number[];
  pageArticles: number;
  pageRepeats: number;
  pageCacheModes: boolean[];
  json: boolean;
  /** Also write the JSON report to this file. */
  saveJson: string | undefined;
  source: ServiceSource;
  logLevel: string;
  /** Watchdog: the whole bench is stopped (services too) past this. */
  maxSeconds: number;
  quick: boolean;
}

export const USAGE = `usage: npm run bench -- [options]

  --quick                 smoke run (~1 minute): 10 VUs, a 2 s stall, pages with the cache off only
  --only LIST             scenarios to run, comma-separated: mix,stall,pages (default: all)
  --concurrency LIST      mix: virtual users at once, comma-separated (default 10,25,50)
  --repeats N             mix: runs of every configuration, tables show medians (default 3)
  --users-per-vu N        mix: users per run = concurrency x N (default 4)
  --warmup N              mix: unmeasured users before each run (default 10)
  --reads N               mix: list reads per user (default 5, the write-up's 5:1)
  --read-only-reads N     mix: list GETs per VU in the read-only phase after each run (default 40)
  --burst N               stall: concurrent list GETs during the stall (default 100)
  --stall-ms MS           stall: how long LOCK TABLES articles WRITE is held (default 5000)
  --pool-size N           stall: DB_POOL_SIZE (default 20, the write-up's)
  --page-sizes LIST       pages: limits to measure (default 1,20,100)
  --source                run the service from app/*.ts through tsx instead of dist/
  --log-level LEVEL       the service's LOG_LEVEL, logs go to a file (default info)
  --max-seconds S         stop everything after S seconds (default 900)
  --json                  print JSON instead of Markdown
  --save-json FILE        also write the JSON report to FILE
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

/** Parses argv (without node and script); returns undefined for --help. Throws on bad input. */
export function parsePlan(argv: readonly string[]): BenchPlan | undefined {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
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
      source: { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      'max-seconds': { type: 'string', default: '900' },
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
      if (!SCENARIOS.includes(s as Scenario)) throw new Error(`--only: unknown scenario "${s}" (mix, stall, pages)`);
    }
    if (wanted.length === 0) throw new Error('--only needs at least one scenario');
    scenarios = SCENARIOS.filter((s) => wanted.includes(s));
  }
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(values['log-level'])) throw new Error(`--log-level must be one of ${levels.join(', ')}`);
  const opt = (name: string, text: string | undefined, fallback: number, min: number, max: number) =>
    text === undefined ? fallback : int(name, text, min, max);
  return {
    scenarios,
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
    json: values.json,
    saveJson: values['save-json'],
    source: values.source ? 'source' : 'dist',
    logLevel: values['log-level'],
    maxSeconds: int('max-seconds', values['max-seconds'], 10, 3600),
    quick,
  };
}
