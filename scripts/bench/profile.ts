/**
 * `npm run bench -- --cpu-prof` (or `npm run bench:profile`): the warm anonymous list (with
 * --signed-in the signed-in one, with --mix the 5:1 mix) under `node --cpu-prof`, summed into
 * buckets. A profile covers its process's whole life, so the wrk window is recorded on the same
 * monotonic clock (process.hrtime) and only samples inside it count. For the two list reads the
 * ceiling (the bare Koa app of the reads, serving the same page's bytes) is profiled the same way
 * right after, so the report shows bucket by bucket what blog-api spends beyond it.
 */
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startCeiling, type Ceiling } from './ceiling.js';
import { summarizeProfile, type CpuProfile } from './cpu-profile.js';
import type { BenchPlan } from './plan.js';
import type { ProgressTracker } from './progress.js';
import { fetchPage } from './reads.js';
import type { PrivateRedis } from './redis-server.js';
import { renderProfile, type ProfiledProcess, type ProfileRun } from './render-profile.js';
import { seedReadDataset } from './seed.js';
import type { BenchService, Launcher } from './service.js';
import type { WrkSettings } from './throughput.js';
import { runWrk, type WrkOptions } from './wrk.js';

const PATH = '/api/articles?limit=20';
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** 500 µs: twice V8's default rate, for a 10 s window still a small profile. */
const profilerArgs = (dir: string) => ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '500'];

interface Window {
  fromUs: number;
  toUs: number;
  requests: number;
  seconds: number;
}

/**
 * A warm-up, then the measured wrk run and its window on the profile's clock; both at the plan's
 * connections with the bench's wrk settings, against what `target` names for a run that long.
 */
async function measuredWindow(
  target: (durationSeconds: number) => Pick<WrkOptions, 'url' | 'headers' | 'mix'>,
  connections: number,
  settings: WrkSettings,
): Promise<Window> {
  const wrk = (durationSeconds: number): WrkOptions => ({
    ...target(durationSeconds),
    connections,
    threads: settings.threads,
    durationSeconds,
    timeoutSeconds: settings.timeoutSeconds,
    clockTicks: settings.clockTicks,
  });
  if (settings.warmSeconds > 0) await runWrk(wrk(settings.warmSeconds));
  const fromUs = nowUs();
  const report = await runWrk(wrk(settings.durationSeconds));
  return { fromUs, toUs: nowUs(), requests: report.requests, seconds: report.durationSeconds };
}

/** The profile a process wrote into `dir` when it exited, summed over the window. */
function profiledProcess(dir: string, window: Window, logFile: string): ProfiledProcess {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}: did the process exit cleanly? (log: ${logFile})`);
  const profileFile = join(dir, file);
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
  return {
    durationSeconds: window.seconds,
    requests: window.requests,
    requestsPerSecond: window.seconds > 0 ? window.requests / window.seconds : 0,
    profileFile,
    summary: summarizeProfile(profile, window),
  };
}

export async function runProfile(options: {
  plan: BenchPlan;
  launcher: Launcher;
  /** The bench's own checkout (where the ceiling's source is). */
  root: string;
  /** The ceiling's own Redis; undefined: no ceiling profile. */
  ceilingRedis: PrivateRedis | undefined;
  logDir: string;
  wrk: WrkSettings;
  progress: ProgressTracker;
  runId: string;
}): Promise<{ markdown: string; run: ProfileRun }> {
  const { plan } = options;
  const serviceDir = join(options.logDir, 'cpu-profile');
  mkdirSync(serviceDir, { recursive: true });
  options.progress.begin('setup');
  let service: BenchService | undefined;
  let window: Window;
  let page: { bytes: Buffer; contentType: string } | undefined;
  try {
    service = await options.launcher.start({
      label: 'prof',
      cache: true,
      env: { DB_POOL_SIZE: String(plan.poolSize) },
      nodeArgs: profilerArgs(serviceDir),
    });
    const dataset = await seedReadDataset(service.baseUrl, {
      articles: plan.articles,
      bodyBytes: plan.bodyBytes,
      authors: 4,
      posters: plan.cpuProfileLoad === 'mix' ? 8 : 0,
      runId: options.runId,
    });
    options.progress.begin('profile');
    const baseUrl = service.baseUrl;
    window = await measuredWindow(
      (durationSeconds) => ({
        url: baseUrl + PATH,
        headers: plan.cpuProfileLoad === 'signed-in' ? { Authorization: `Token ${dataset.viewerToken}` } : undefined,
        mix:
          plan.cpuProfileLoad === 'mix'
            ? {
                readPath: PATH,
                postEvery: plan.postEvery,
                tokens: dataset.posterTokens,
                runId: `${options.runId}prof${durationSeconds}`,
                body: dataset.bodyText,
                tags: dataset.topics,
              }
            : undefined,
      }),
      plan.connections,
      options.wrk,
    );
    // The anonymous page, as the reads' ceiling serves it.
    if (options.ceilingRedis) page = await fetchPage(baseUrl, { path: PATH, token: undefined });
  } finally {
    // The profile is written when the process exits (SIGTERM: the service drains and exits).
    await service?.stop();
  }
  const measured = profiledProcess(serviceDir, window, service.logFile);
  const ceiling =
    options.ceilingRedis && page ? await profileCeiling({ ...options, ceilingRedis: options.ceilingRedis, page }) : undefined;
  const run: ProfileRun = { ...measured, path: PATH, load: plan.cpuProfileLoad, connections: plan.connections, ceiling };
  return { markdown: renderProfile(run), run };
}

/** The ceiling under the same profiler, load and window length as the service just had. */
async function profileCeiling(options: {
  plan: BenchPlan;
  root: string;
  ceilingRedis: PrivateRedis;
  logDir: string;
  wrk: WrkSettings;
  progress: ProgressTracker;
  page: { bytes: Buffer; contentType: string };
}): Promise<ProfiledProcess> {
  const dir = join(options.logDir, 'cpu-profile-ceiling');
  mkdirSync(dir, { recursive: true });
  options.progress.begin('ceiling');
  let ceiling: Ceiling | undefined;
  let window: Window;
  try {
    ceiling = await startCeiling({
      root: options.root,
      redisUrl: options.ceilingRedis.url,
      contentType: options.page.contentType,
      page: options.page.bytes,
      logDir: options.logDir,
      nodeArgs: profilerArgs(dir),
    });
    const url = ceiling.url;
    window = await measuredWindow(() => ({ url }), options.plan.connections, options.wrk);
  } finally {
    await ceiling?.stop();
  }
  return profiledProcess(dir, window, ceiling.logFile);
}
