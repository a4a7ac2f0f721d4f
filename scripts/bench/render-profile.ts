/** Markdown for the --cpu-prof run: where a warm request's time goes, short (pure). */
import { markdownTable, num, pct } from './format.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { ProfileLoad } from './plan.js';

/** One process's profile over its measured wrk window. */
export interface ProfiledProcess {
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  profileFile: string;
  summary: ProfileSummary;
}

export interface ProfileRun extends ProfiledProcess {
  path: string;
  load: ProfileLoad;
  connections: number;
  /** The ceiling under the same profiler and load, right after (list reads only). */
  ceiling: ProfiledProcess | undefined;
}

const busyMsOf = (s: ProfileSummary) => s.buckets.filter((b) => b.bucket !== 'idle').reduce((a, b) => a + b.ms, 0);

/** µs of CPU per request for `ms` of a process's window. */
const perRequestOf = (p: ProfiledProcess) => (ms: number) => (p.requests > 0 ? (ms * 1000) / p.requests : undefined);

/** Bucket by bucket, µs per request of blog-api beside the ceiling's, largest difference first. */
function besideTheCeiling(run: ProfileRun, ceiling: ProfiledProcess): string[] {
  const ours = perRequestOf(run);
  const theirs = perRequestOf(ceiling);
  const msOf = (p: ProfiledProcess, bucket: string) => p.summary.buckets.find((b) => b.bucket === bucket)?.ms ?? 0;
  const buckets = [...new Set([...run.summary.buckets, ...ceiling.summary.buckets].map((b) => b.bucket))].filter(
    (b) => b !== 'idle',
  );
  const rows = buckets
    .map((bucket) => ({ bucket, ours: ours(msOf(run, bucket)) ?? 0, theirs: theirs(msOf(ceiling, bucket)) ?? 0 }))
    .sort((a, b) => b.ours - b.theirs - (a.ours - a.theirs));
  const busy = { ours: ours(busyMsOf(run.summary)) ?? 0, theirs: theirs(busyMsOf(ceiling.summary)) ?? 0 };
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${num(x, 1)}`;
  return [
    '### Beside the ceiling',
    '',
    `The ceiling (the reads' bare Koa app, answering the same ${run.load === 'signed-in' ? 'anonymous ' : ''}page's bytes from one Redis GET) ` +
      `under the same profiler and load right after: ${ceiling.requests} requests (${num(ceiling.requestsPerSecond, 0)} req/s), ` +
      `${num(busy.theirs, 0)} µs of CPU per request against blog-api's ${num(busy.ours, 0)} µs ` +
      `(a ratio of ${num(busy.theirs / busy.ours, 2)}: on one saturated core, about what requests/s can reach against the ceiling).`,
    '',
    markdownTable(
      ['bucket (self time)', 'blog-api µs / req', 'ceiling µs / req', 'difference'],
      [
        ...rows.map((r) => [r.bucket, num(r.ours, 1), num(r.theirs, 1), signed(r.ours - r.theirs)]),
        ['**busy, all buckets**', num(busy.ours, 1), num(busy.theirs, 1), signed(busy.ours - busy.theirs)],
      ],
    ),
    '',
    "A row is what V8's sampler saw: native code under a JavaScript call counts for that call (the response's " +
      "`writev` holds the kernel's loopback work), and V8 cannot split it further; `perf record -g` with node's " +
      '`--perf-basic-prof` can (BENCHMARKS.md, "Beside the ceiling"). ' +
      `Open ${ceiling.profileFile} for the ceiling's call tree.`,
    '',
  ];
}

export function renderProfile(run: ProfileRun): string {
  const s = run.summary;
  const busyMs = busyMsOf(s);
  const perRequest = perRequestOf(run);
  const out = [
    run.load === 'mix'
      ? `## CPU profile: the 5:1 mix (\`GET ${run.path}\` and \`POST /api/articles\`)`
      : `## CPU profile: warm \`GET ${run.path}\`${run.load === 'signed-in' ? ', signed in' : ''}`,
    '',
    `The service's main thread under \`node --cpu-prof\`, while wrk -c${run.connections} ran for ${num(run.durationSeconds, 1)} s: ` +
      `${run.requests} requests (${num(run.requestsPerSecond, 0)} req/s), ${s.samples} samples over ${num(s.totalMs / 1000, 1)} s` +
      `${s.windowed ? ' (only the measured window; start-up, seeding and warm-up left out)' : ' (the whole process: the window did not match the profile clock)'}. ` +
      `Busy (not idle): ${num(busyMs / 1000, 2)} s, ${num(perRequest(busyMs), 0)} µs of CPU per request.`,
    '',
    markdownTable(
      ['bucket (self time)', 'share of the window', 'µs per request'],
      s.buckets.map((b) => [b.bucket, pct(b.share), b.bucket === 'idle' ? '–' : num(perRequest(b.ms), 1)]),
    ),
    '',
    `blog-api code by file: ${
      s.appFiles
        .slice(0, 6)
        .map((f) => `${f.file.replace(/^(?:dist\/)?app\//, '')} ${pct(f.share)}`)
        .join(', ') || 'none'
    }.`,
    '',
    `Top ${s.top.length} functions by self time:`,
    '',
    markdownTable(
      ['self', 'µs / req', 'bucket', 'function', 'where (for Node and native functions: called from)'],
      s.top.map((f) => [
        pct(f.share),
        f.bucket === 'idle' ? '–' : num(perRequest(f.ms), 1),
        f.bucket,
        `\`${f.functionName}\``,
        f.calledFrom ? `${f.where}, from ${f.calledFrom}` : f.where,
      ]),
    ),
    '',
    'JSON.parse/stringify are not frames of their own in V8 profiles: their time is in the caller, so callers named like ' +
      "JSON work and Koa's respond() (which stringifies object bodies) count as JSON. Idle is the event loop waiting " +
      '(for Redis replies, or for requests). ' +
      `Open ${run.profileFile} in Chrome DevTools (Performance) for the call tree.`,
    '',
    ...(run.ceiling ? besideTheCeiling(run, run.ceiling) : []),
  ];
  return `${out.join('\n')}\n`;
}
