/**
 * The benchmark behind BENCHMARKS.md: blog-api against the machine's ceiling, and the write-up's
 * numbers.
 *
 *   npm run build && npm run --silent bench [-- --quick] [-- --json] [-- --cpu-prof]
 *
 * reads   anonymous list, list by tag, signed-in list, article by slug (wrk), each between two runs
 *         of the ceiling: a bare Koa app serving the anonymous list page's bytes from one Redis GET
 * mix     the 5:1 GET:POST mix of signed-in users at 16/64/256 connections (wrk + Lua)
 * knee    the mix at rising connections until p99 passes 400 ms or errors appear
 * signup  the write-up's mix with sign-ups (scripts/load.ts), cache on vs off
 * stall   pool of 20 under a table lock and a burst of list GETs
 * pages   SQL statements per list page for page sizes 1, 20, 100
 *
 * Every configuration is a separate service process (dist/app/main.js, or tsx with --source) on a
 * fresh database, dropped afterwards, with a private redis-server (the ceiling has its own), so
 * INFO commandstats counts one client only. Loopback only; every loop is bounded; a watchdog stops
 * the whole run after --max-seconds. Markdown on stdout (JSON with --json), progress on stderr.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { stopAllCeilings } from './bench/ceiling.js';
import { runPages, type PageResult } from './bench/pages.js';
import { parsePlan, profilesTheCeiling, THROUGHPUT_SCENARIOS, USAGE, type BenchPlan } from './bench/plan.js';
import { kneeSvg, throughputSvg } from './bench/plots.js';
import { runProfile } from './bench/profile.js';
import { ProgressTracker } from './bench/progress.js';
import { connectRedis, startPrivateRedis, stopAllRedis, type PrivateRedis } from './bench/redis-server.js';
import { renderMarkdown, type BenchReport, type Machine, type Source } from './bench/render.js';
import type { PlotLinks } from './bench/render-throughput.js';
import { createLauncher, staleBuild, type BenchService, type Launcher, type ServiceSpec } from './bench/service.js';
import { runSignupMix, type SignupMixResult } from './bench/signup-mix.js';
import { runStall, stallEnv, type StallResult, type StallSettings } from './bench/stall.js';
import { plannedSteps, signupKey } from './bench/steps.js';
import { runThroughput, type ThroughputResult, type WrkSettings } from './bench/throughput.js';
import { clockTicksPerSecond, ensureTools, type Tool } from './bench/tools.js';
import { killAllWrk } from './bench/wrk.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..').replace(/\/dist$/, '');
const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
/** Set to use an existing Redis for the services instead of a private one (its commandstats then count every client). */
const EXTERNAL_REDIS_URL = process.env.BENCH_REDIS_URL;

const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function machine(redisUrl: string): Promise<Machine> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const db = await createConnection({ uri: MYSQL_URL, connectTimeout: 5000 });
  const [rows] = await db.query('SELECT VERSION() AS v');
  await db.end();
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  await redis.connect();
  const info = await redis.info('server');
  redis.disconnect();
  const version = (rows as { v?: unknown }[])[0]?.v;
  return {
    cpuModel: model.trim(),
    cpus: cpus().length,
    memoryGiB: totalmem() / 1024 ** 3,
    kernel: release(),
    node: process.versions.node,
    mariadb: typeof version === 'string' ? version : 'unknown',
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    loadAverage: { start: loadavg()[0] ?? 0, end: 0 },
  };
}

/** The commit measured and the service files that differ from it (so a dirty tree is visible). */
function source(service: 'dist' | 'source', root: string, nodeOptions: string | undefined): Source {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd();
    } catch {
      return '';
    }
  };
  const dirty = git('status', '--porcelain', '--', 'app', 'package.json', 'package-lock.json')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.slice(3));
  return { commit: git('rev-parse', '--short', 'HEAD') || 'unknown', dirty, service, nodeOptions };
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

async function runSignup(plan: BenchPlan, launcher: Launcher, progress: ProgressTracker, failures: string[]) {
  const results: SignupMixResult[] = [];
  // On and off alternate at each concurrency, and which goes first alternates by repetition, so
  // drift of the machine hits both alike.
  for (let run = 1; run <= plan.repeats; run += 1) {
    for (const concurrency of plan.concurrency) {
      for (const cache of run % 2 === 1 ? [true, false] : [false, true]) {
        progress.begin(signupKey(run, concurrency, cache));
        const label = `mix${concurrency}${cache ? 'on' : 'off'}r${run}`;
        const r = await withService(launcher, { label, cache, env: {} }, failures, (s) =>
          runSignupMix(s, {
            run,
            concurrency,
            users: concurrency * plan.usersPerVu,
            cache,
            warmupUsers: plan.warmupUsers,
            readsPerUser: plan.readsPerUser,
            readOnlyReads: plan.readOnlyReads,
            maxDurationMs: plan.mixMaxSeconds * 1000,
            // load.ts prints a plain line every few seconds when stderr is not a terminal.
            progress: true,
          }),
        );
        if (r) results.push(r);
      }
    }
  }
  return results;
}

async function runStallScenario(plan: BenchPlan, launcher: Launcher, progress: ProgressTracker, failures: string[]) {
  const results: StallResult[] = [];
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
    progress.begin(`stall:${i}`);
    const r = await withService(launcher, { label: `stall${i}`, cache: false, env: stallEnv(c.settings) }, failures, (s) =>
      runStall(s, { label: c.label, settings: c.settings, burst: plan.burst, stallMs: plan.stallMs, clientTimeoutMs: 60_000 }),
    );
    if (r) results.push(r);
  }
  return results;
}

async function runPagesScenario(plan: BenchPlan, launcher: Launcher, progress: ProgressTracker, failures: string[]) {
  const results: PageResult[] = [];
  for (const cache of plan.pageCacheModes) {
    progress.begin(`pages:${cache ? 'on' : 'off'}`);
    const r = await withService(launcher, { label: `pages${cache ? 'on' : 'off'}`, cache, env: {} }, failures, (s) =>
      runPages(s, {
        cache,
        articles: Math.max(plan.pageArticles, ...plan.pageSizes),
        limits: plan.pageSizes,
        repeats: plan.pageRepeats,
      }),
    );
    if (r) results.push(...r);
  }
  return results;
}

/** Writes the two plots; returns the paths the report links (relative to the repository root when inside it). */
function writePlots(throughput: ThroughputResult | undefined, dir: string, caption: string): PlotLinks {
  const links: PlotLinks = { throughput: undefined, knee: undefined };
  if (!throughput) return links;
  mkdirSync(dir, { recursive: true });
  const link = (file: string) => {
    const rel = relative(ROOT, file);
    return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
  };
  const bars = throughputSvg(throughput, caption);
  if (bars) {
    const file = join(dir, 'throughput.svg');
    writeFileSync(file, bars);
    links.throughput = link(file);
  }
  const knee = kneeSvg(throughput, caption);
  if (knee) {
    const file = join(dir, 'knee.svg');
    writeFileSync(file, knee);
    links.knee = link(file);
  }
  return links;
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
  const serviceRoot = plan.serviceDir ? resolve(plan.serviceDir) : ROOT;
  if (plan.source === 'dist') {
    const stale = staleBuild(serviceRoot);
    if (stale) {
      say(stale);
      return 2;
    }
  }
  const usesWrk = plan.cpuProfile || plan.scenarios.some((s) => THROUGHPUT_SCENARIOS.includes(s));
  const tools: Tool[] = [
    ...(usesWrk ? (['wrk'] as const) : []),
    ...(EXTERNAL_REDIS_URL && !usesWrk ? [] : (['redis-server'] as const)),
  ];
  try {
    ensureTools(tools, say);
  } catch (err) {
    say(err instanceof Error ? err.message : String(err));
    return 2;
  }

  const started = performance.now();
  const benchStartedAt = Date.now();
  const startedAt = new Date().toISOString();
  const runId = randomBytes(3).toString('hex');
  const failures: string[] = [];
  const logDir = mkdtempSync(join(tmpdir(), 'blog-api-bench-'));
  let launcher: Launcher | undefined;

  // Bounded no matter what: signals and the watchdog stop every process this run started (by PID)
  // and drop the databases.
  const stopEverything = async () => {
    killAllWrk();
    await stopAllCeilings();
    await launcher?.stopAll();
    await stopAllRedis();
  };
  const abort = (why: string, code: number) => {
    say(`${why}: stopping services`);
    void stopEverything().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => abort('SIGINT', 130));
  process.once('SIGTERM', () => abort('SIGTERM', 143));
  const watchdog = setTimeout(() => abort(`--max-seconds ${plan.maxSeconds} exceeded`, 3), plan.maxSeconds * 1000);

  try {
    say(`logs in ${logDir}`);
    const serviceRedis: PrivateRedis = EXTERNAL_REDIS_URL
      ? await connectRedis('service', EXTERNAL_REDIS_URL)
      : await startPrivateRedis('service', logDir);
    launcher = createLauncher({
      root: serviceRoot,
      servers: { mysqlUrl: MYSQL_URL, redisUrl: serviceRedis.url },
      source: plan.source,
      logDir,
      logLevel: plan.logLevel,
      nodeOptions: plan.nodeOptions,
    });
    const host = await machine(serviceRedis.url);
    const measured = source(plan.source, serviceRoot, plan.nodeOptions);
    const steps = plannedSteps(plan);
    const progress = new ProgressTracker(steps, say);
    const wrk: WrkSettings = {
      threads: plan.threads,
      durationSeconds: plan.durationSeconds,
      warmSeconds: plan.warmSeconds,
      timeoutSeconds: 10,
      clockTicks: clockTicksPerSecond(),
    };

    if (plan.cpuProfile) {
      const ceilingRedis = profilesTheCeiling(plan.cpuProfileLoad) ? await startPrivateRedis('ceiling', logDir) : undefined;
      const { markdown, run } = await runProfile({ plan, launcher, root: ROOT, ceilingRedis, logDir, wrk, progress, runId });
      progress.finish();
      if (plan.saveJson) writeFileSync(plan.saveJson, `${JSON.stringify(run, null, 2)}\n`);
      process.stdout.write(plan.json ? `${JSON.stringify(run, null, 2)}\n` : markdown);
      return 0;
    }

    const throughput = plan.scenarios.some((s) => THROUGHPUT_SCENARIOS.includes(s))
      ? await runThroughput({
          plan,
          launcher,
          root: ROOT,
          logDir,
          serviceRedis,
          ceilingRedis: await startPrivateRedis('ceiling', logDir),
          wrk,
          benchStartedAt,
          progress,
          failures,
          runId,
          say,
        })
      : undefined;
    const signup = plan.scenarios.includes('signup') ? await runSignup(plan, launcher, progress, failures) : [];
    const stall = plan.scenarios.includes('stall') ? await runStallScenario(plan, launcher, progress, failures) : [];
    const pages = plan.scenarios.includes('pages') ? await runPagesScenario(plan, launcher, progress, failures) : [];
    progress.finish();

    const caption = `${startedAt.slice(0, 16).replace('T', ' ')} UTC, commit ${measured.commit}${measured.dirty.length > 0 ? '+dirty' : ''}${plan.quick ? ', --quick smoke run' : ''}, ${host.cpus} CPUs, wrk -t${plan.threads}`;
    const plots = writePlots(throughput, resolve(ROOT, plan.svgDir ?? logDir), caption);
    const report: BenchReport = {
      command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
      startedAt,
      durationSeconds: (performance.now() - started) / 1000,
      machine: { ...host, loadAverage: { ...host.loadAverage, end: loadavg()[0] ?? 0 } },
      source: measured,
      plan: { ...plan },
      throughput,
      plots,
      signup,
      stall,
      pages,
      failures,
    };
    if (plan.saveJson) writeFileSync(plan.saveJson, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(plan.json ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report));
    return failures.length > 0 ? 1 : 0;
  } finally {
    clearTimeout(watchdog);
    await stopEverything();
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
