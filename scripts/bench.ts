/**
 * The benchmark behind BENCHMARKS.md: the write-up's numbers, measured on blog-api.
 *
 *   npm run build && npm run bench [-- --quick] [-- --json]
 *
 * 1. mix   the 5:1 GET:POST scenario (scripts/load.ts) at several concurrencies, cache on vs off
 * 2. stall pool of 20 under a 5 s table lock and a burst of list GETs: blog-api's gated pool vs
 *          seed-like settings (waits like a plain pool)
 * 3. pages SQL statements per list page for page sizes 1, 20, 100
 *
 * Every configuration is a separate service process (dist/app/main.js, or tsx with --source) on a
 * fresh database, dropped afterwards. Loopback only; every loop is bounded; a watchdog stops the
 * whole run after --max-seconds. Markdown on stdout (JSON with --json), progress on stderr.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { runMix, type MixResult } from './bench/mix.js';
import { runPages, type PageResult } from './bench/pages.js';
import { parsePlan, USAGE, type BenchPlan } from './bench/plan.js';
import { renderMarkdown, type BenchReport, type Machine, type Source } from './bench/render.js';
import { createLauncher, staleBuild, type BenchService, type Launcher, type ServiceSpec } from './bench/service.js';
import { runStall, stallEnv, type StallResult, type StallSettings } from './bench/stall.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..').replace(/\/dist$/, '');
const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function machine(): Promise<Machine> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const db = await createConnection({ uri: MYSQL_URL, connectTimeout: 5000 });
  const [rows] = await db.query('SELECT VERSION() AS v');
  await db.end();
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  await redis.connect();
  const info = await redis.info('server');
  redis.disconnect();
  return {
    cpuModel: model.trim(),
    cpus: cpus().length,
    memoryGiB: totalmem() / 1024 ** 3,
    kernel: release(),
    node: process.versions.node,
    mariadb: String((rows as { v?: unknown }[])[0]?.v ?? 'unknown'),
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    loadAverage: { start: loadavg()[0] ?? 0, end: 0 },
  };
}

/** The commit measured and the service files that differ from it (so a dirty tree is visible). */
function source(service: 'dist' | 'source'): Source {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const dirty = git('status', '--porcelain', '--', 'app', 'package.json', 'package-lock.json')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.slice(3));
  return { commit: git('rev-parse', '--short', 'HEAD') || 'unknown', dirty, service };
}

/** Runs one configuration on its own service; a failure is recorded and the bench goes on. */
async function withService<T>(
  launcher: Launcher,
  spec: ServiceSpec,
  failures: string[],
  body: (s: BenchService) => Promise<T>,
): Promise<T | undefined> {
  let service: BenchService | undefined;
  try {
    service = await launcher.start(spec);
    return await body(service);
  } catch (err) {
    const message = `${spec.label}: ${err instanceof Error ? err.message : String(err)}${service ? ` (service log: ${service.logFile})` : ''}`;
    failures.push(message);
    say(`FAILED ${message}`);
    return undefined;
  } finally {
    await service?.stop();
  }
}

async function runAll(plan: BenchPlan, launcher: Launcher, failures: string[]) {
  const mix: MixResult[] = [];
  const stall: StallResult[] = [];
  const pages: PageResult[] = [];
  const showProgress = process.stderr.isTTY;

  if (plan.scenarios.includes('mix')) {
    // On and off alternate at each concurrency, and which goes first alternates by repetition, so
    // drift of the machine hits both alike.
    for (let run = 1; run <= plan.repeats; run += 1) {
      for (const concurrency of plan.concurrency) {
        for (const cache of run % 2 === 1 ? [true, false] : [false, true]) {
          const users = concurrency * plan.usersPerVu;
          say(`mix: run ${run}/${plan.repeats}, ${concurrency} VUs, ${users} users, cache ${cache ? 'on' : 'off'}`);
          const label = `mix${concurrency}${cache ? 'on' : 'off'}r${run}`;
          const r = await withService(launcher, { label, cache, env: {} }, failures, (s) =>
            runMix(s, {
              run,
              concurrency,
              users,
              cache,
              warmupUsers: plan.warmupUsers,
              readsPerUser: plan.readsPerUser,
              readOnlyReads: plan.readOnlyReads,
              maxDurationMs: plan.mixMaxSeconds * 1000,
              progress: showProgress,
            }),
          );
          if (r) mix.push(r);
        }
      }
    }
  }

  if (plan.scenarios.includes('stall')) {
    const configs: { label: string; settings: StallSettings }[] = [
      {
        label: '(a) blog-api defaults',
        settings: { poolSize: plan.poolSize, acquireTimeoutMs: 1000, statementTimeoutMs: 5000, queueLimit: 200 },
      },
      {
        label: '(b) seed-like',
        settings: { poolSize: plan.poolSize, acquireTimeoutMs: 30_000, statementTimeoutMs: 60_000, queueLimit: 200 },
      },
    ];
    for (const [i, c] of configs.entries()) {
      say(`stall: ${c.label}, ${plan.burst} GETs during a ${plan.stallMs} ms lock`);
      const r = await withService(launcher, { label: `stall${i}`, cache: false, env: stallEnv(c.settings) }, failures, (s) =>
        runStall(s, { label: c.label, settings: c.settings, burst: plan.burst, stallMs: plan.stallMs, clientTimeoutMs: 60_000 }),
      );
      if (r) stall.push(r);
    }
  }

  if (plan.scenarios.includes('pages')) {
    for (const cache of plan.pageCacheModes) {
      say(`pages: cache ${cache ? 'on' : 'off'}, limits ${plan.pageSizes.join('/')}`);
      const r = await withService(launcher, { label: `pages${cache ? 'on' : 'off'}`, cache, env: {} }, failures, (s) =>
        runPages(s, {
          cache,
          articles: Math.max(plan.pageArticles, ...plan.pageSizes),
          limits: plan.pageSizes,
          repeats: plan.pageRepeats,
        }),
      );
      if (r) pages.push(...r);
    }
  }
  return { mix, stall, pages };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let plan: BenchPlan | undefined;
  try {
    plan = parsePlan(argv);
  } catch (err) {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (!plan) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (plan.source === 'dist') {
    const stale = staleBuild(ROOT);
    if (stale) {
      say(stale);
      return 2;
    }
  }
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const failures: string[] = [];
  const logDir = mkdtempSync(join(tmpdir(), 'blog-api-bench-'));
  const launcher = createLauncher({
    root: ROOT,
    servers: { mysqlUrl: MYSQL_URL, redisUrl: REDIS_URL },
    source: plan.source,
    logDir,
    logLevel: plan.logLevel,
  });

  // Bounded no matter what: signals and the watchdog stop every service (and drop its database).
  const abort = (why: string, code: number) => {
    say(`${why}: stopping services`);
    void launcher.stopAll().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => abort('SIGINT', 130));
  process.once('SIGTERM', () => abort('SIGTERM', 143));
  const watchdog = setTimeout(() => abort(`--max-seconds ${plan.maxSeconds} exceeded`, 3), plan.maxSeconds * 1000);

  try {
    const host = await machine();
    const measured = source(plan.source);
    say(`service logs in ${logDir}`);
    const results = await runAll(plan, launcher, failures);
    const report: BenchReport = {
      command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
      startedAt,
      durationSeconds: (performance.now() - started) / 1000,
      machine: { ...host, loadAverage: { ...host.loadAverage, end: loadavg()[0] ?? 0 } },
      source: measured,
      plan: { ...plan },
      ...results,
      failures,
    };
    if (plan.saveJson) writeFileSync(plan.saveJson, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(plan.json ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report));
    return failures.length > 0 ? 1 : 0;
  } finally {
    clearTimeout(watchdog);
    await launcher.stopAll();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    say(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 2;
  },
);
