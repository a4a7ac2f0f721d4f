/**
 * `npm run bench -- --cpu-prof` (or `npm run bench:profile`): the warm anonymous list (with
 * --signed-in the signed-in one, with --mix the 5:1 mix) under `node --cpu-prof`, summed into buckets. The profile covers the service's whole life, so the
 * wrk window is recorded on the same monotonic clock (process.hrtime) and only samples inside it
 * count.
 */
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeProfile, type CpuProfile } from './cpu-profile.js';
import type { BenchPlan } from './plan.js';
import type { ProgressTracker } from './progress.js';
import { renderProfile, type ProfileRun } from './render-profile.js';
import { seedReadDataset } from './seed.js';
import type { BenchService, Launcher } from './service.js';
import type { WrkSettings } from './throughput.js';
import { runWrk, type WrkOptions } from './wrk.js';

const PATH = '/api/articles?limit=20';
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

export async function runProfile(options: {
  plan: BenchPlan;
  launcher: Launcher;
  logDir: string;
  wrk: WrkSettings;
  progress: ProgressTracker;
  runId: string;
}): Promise<{ markdown: string; run: ProfileRun }> {
  const { plan } = options;
  const dir = join(options.logDir, 'cpu-profile');
  mkdirSync(dir, { recursive: true });
  options.progress.begin('setup');
  let service: BenchService | undefined;
  let window: { fromUs: number; toUs: number };
  let requests: number;
  let seconds: number;
  try {
    service = await options.launcher.start({
      label: 'prof',
      cache: true,
      env: { DB_POOL_SIZE: String(plan.poolSize) },
      // 500 µs: twice V8's default rate, for a 10 s window still a small profile.
      nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '500'],
    });
    const dataset = await seedReadDataset(service.baseUrl, {
      articles: plan.articles,
      bodyBytes: plan.bodyBytes,
      authors: 4,
      posters: plan.cpuProfileLoad === 'mix' ? 8 : 0,
      runId: options.runId,
    });
    options.progress.begin('profile');
    const wrk = (durationSeconds: number): WrkOptions => ({
      url: (service?.baseUrl ?? '') + PATH,
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
      connections: plan.connections,
      threads: options.wrk.threads,
      durationSeconds,
      timeoutSeconds: options.wrk.timeoutSeconds,
      clockTicks: options.wrk.clockTicks,
    });
    if (options.wrk.warmSeconds > 0) await runWrk(wrk(options.wrk.warmSeconds));
    const fromUs = nowUs();
    const report = await runWrk(wrk(options.wrk.durationSeconds));
    window = { fromUs, toUs: nowUs() };
    requests = report.requests;
    seconds = report.durationSeconds;
  } finally {
    // The profile is written when the process exits (SIGTERM: the service drains and exits).
    await service?.stop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}: did the service exit cleanly? (log: ${service.logFile})`);
  const profileFile = join(dir, file);
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
  const run: ProfileRun = {
    path: PATH,
    load: plan.cpuProfileLoad,
    connections: plan.connections,
    durationSeconds: seconds,
    requests,
    requestsPerSecond: seconds > 0 ? requests / seconds : 0,
    profileFile,
    summary: summarizeProfile(profile, window),
  };
  return { markdown: renderProfile(run), run };
}
