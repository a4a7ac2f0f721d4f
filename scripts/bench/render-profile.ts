/** Markdown for the --cpu-prof run: where a warm request's time goes, short (pure). */
import { markdownTable, num, pct } from './format.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { ProfileLoad } from './plan.js';

export interface ProfileRun {
  path: string;
  load: ProfileLoad;
  connections: number;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  profileFile: string;
  summary: ProfileSummary;
}

export function renderProfile(run: ProfileRun): string {
  const s = run.summary;
  const busyMs = s.buckets.filter((b) => b.bucket !== 'idle').reduce((a, b) => a + b.ms, 0);
  const perRequest = (msTotal: number) => (run.requests > 0 ? (msTotal * 1000) / run.requests : undefined);
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
  ];
  return `${out.join('\n')}\n`;
}
