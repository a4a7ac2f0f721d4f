/**
 * Load test reproducing the write-up's 5:1 GET:POST mix: N virtual users, each registers, posts an
 * article, then reads the article list five times. Bounded in users and in time; prints a progress
 * bar on stderr and a summary (or --json) on stdout. Works against a port-forwarded cluster too:
 *
 *   npm run load -- --users 50 --concurrency 10 --base-url http://127.0.0.1:3000 \
 *     --metrics-url http://127.0.0.1:9464/metrics [--auth-reads] [--json]
 *
 * The core (runLoad) is exported for the integration tests and scripts/bench.ts.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

export interface LoadOptions {
  baseUrl: string;
  /** Prometheus text endpoint of the service; enables hit ratio and SQL-per-list-GET figures. */
  metricsUrl?: string | undefined;
  users: number;
  /** Virtual users running at once (default: all). */
  concurrency?: number;
  readsPerUser?: number;
  /** Send the user's token on list reads (personal fields resolved); default anonymous. */
  authReads?: boolean;
  /** No new user starts after this long; each request also times out on its own. */
  maxDurationMs?: number;
  requestTimeoutMs?: number;
  progress?: boolean;
  /** Every request, as it finishes (the fault test splits them into phases). */
  onRequest?: (sample: RequestSample) => void;
}

export interface RequestSample {
  kind: 'register' | 'post' | 'list';
  startedAt: number;
  ms: number;
  status: number;
  ok: boolean;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  users: number;
  requests: number;
  errors: number;
  /** List reads missing an article acknowledged before the read started, or with a wrong count. */
  staleReads: number;
  staleExamples: string[];
  durationMs: number;
  latencyMs: LatencySummary;
  listLatencyMs: LatencySummary;
  /** hits / (hits + misses) over the run, all caches; undefined without a metrics URL. */
  hitRatio?: number | undefined;
  cacheHits?: number | undefined;
  cacheMisses?: number | undefined;
  /**
   * Mean SQL statements per GET /api/articles over the run, from the service's
   * http_request_db_queries{method="GET",route="/api/articles"}; undefined if other clients listed
   * articles meanwhile.
   */
  sqlPerListGet?: number | undefined;
}

/** Sum of the samples of a metric whose labels include `labels`, from Prometheus text. */
export function sumMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      found[pair[1] ?? ''] = pair[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) total += Number(match[3]);
  }
  return total;
}

interface CacheSnapshot {
  hits: number;
  misses: number;
  /** GET /api/articles requests seen by the service, and the SQL statements they issued. */
  listGets: number;
  listGetStatements: number;
}

async function snapshot(metricsUrl: string): Promise<CacheSnapshot> {
  const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
  const listGet = { method: 'GET', route: '/api/articles' };
  return {
    hits: sumMetric(text, 'redis_cache_hits_total'),
    misses: sumMetric(text, 'redis_cache_misses_total'),
    listGets: sumMetric(text, 'http_request_db_queries_count', listGet),
    listGetStatements: sumMetric(text, 'http_request_db_queries_sum', listGet),
  };
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0);
  const round = (n: number) => Math.round(n * 10) / 10;
  return { p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? 0) };
}

interface Acknowledged {
  slug: string;
  at: number;
  /** When its POST was sent: anything acknowledged before then has a lower id. */
  startedAt: number;
}

interface ListBody {
  articles?: { slug?: unknown }[];
  articlesCount?: unknown;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const readsPerUser = options.readsPerUser ?? 5;
  const concurrency = Math.max(1, Math.min(options.concurrency ?? options.users, options.users));
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const deadline = performance.now() + (options.maxDurationMs ?? 120_000);
  const run = randomBytes(3).toString('hex');
  const latencies: number[] = [];
  const listLatencies: number[] = [];
  let requests = 0;
  let listRequests = 0;
  let errors = 0;
  let staleReads = 0;
  const staleExamples: string[] = [];
  const acknowledged: Acknowledged[] = [];
  let postsStarted = 0;
  let usersDone = 0;

  const before = options.metricsUrl ? await snapshot(options.metricsUrl) : undefined;
  const baseline = await request('GET', '/api/articles?limit=1', undefined, undefined, 'list');
  const baselineCount = Number((baseline.body as ListBody | undefined)?.articlesCount ?? 0);
  const started = performance.now();

  async function request(
    method: string,
    path: string,
    body: unknown,
    token: string | undefined,
    kind: RequestSample['kind'],
  ): Promise<{ status: number; body: unknown }> {
    const startedAt = performance.now();
    let status: number;
    let parsed: unknown;
    try {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (token) headers.Authorization = `Token ${token}`;
      const res = await fetch(options.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      parsed = await res.json().catch(() => undefined);
    } catch {
      status = 0;
    }
    const ms = performance.now() - startedAt;
    const ok = status >= 200 && status < 300;
    record({ kind, startedAt, ms, status, ok });
    return { status, body: parsed };
  }

  function record(sample: RequestSample): void {
    requests += 1;
    if (!sample.ok) errors += 1;
    latencies.push(sample.ms);
    if (sample.kind === 'list') {
      listLatencies.push(sample.ms);
      listRequests += 1;
    }
    options.onRequest?.(sample);
  }

  /** Everything acknowledged before the read started must be visible to it. */
  function checkList(body: unknown, readStartedAt: number, limit: number): void {
    const list = body as ListBody | undefined;
    const slugs = new Set((list?.articles ?? []).map((a) => String(a.slug)));
    const count = Number(list?.articlesCount);
    const mustSee = acknowledged.filter((a) => a.at < readStartedAt);
    const problems: string[] = [];
    if (!(count >= baselineCount + mustSee.length && count <= baselineCount + postsStarted)) {
      problems.push(`articlesCount ${count} outside [${baselineCount + mustSee.length}, ${baselineCount + postsStarted}]`);
    }
    // The page holds the `limit` highest ids. An acknowledged article may be missing from it only
    // if the page is full of articles that can have a higher id: not ones acknowledged before its
    // POST was sent, nor ones from before this run. (Ack order is not id order: a post acknowledged
    // a moment after another can hold the lower id, and drop off a full page first.)
    const page = (list?.articles ?? []).map((a) => String(a.slug));
    const ackedAt = new Map(acknowledged.map((a) => [a.slug, a.at]));
    const ours = `load-${run}-`;
    const missing = mustSee.filter(
      (a) =>
        !slugs.has(a.slug) &&
        (page.length < limit || page.some((s) => !s.startsWith(ours) || (ackedAt.get(s) ?? Infinity) < a.startedAt)),
    );
    if (missing.length > 0) problems.push(`missing ${missing.length} acknowledged article(s), e.g. ${missing[0]?.slug}`);
    if (problems.length > 0) {
      staleReads += 1;
      if (staleExamples.length < 5) staleExamples.push(problems.join('; '));
    }
  }

  async function virtualUser(n: number): Promise<void> {
    const username = `load${run}u${n}`;
    const reg = await request(
      'POST',
      '/api/users',
      { user: { username, email: `${username}@load.test`, password: 'load-password-1' } },
      undefined,
      'register',
    );
    const token = (reg.body as { user?: { token?: string } } | undefined)?.user?.token;
    if (!token) return;
    postsStarted += 1;
    const postStartedAt = performance.now();
    const post = await request(
      'POST',
      '/api/articles',
      {
        article: { title: `Load ${run} ${n}`, description: 'load test', body: `Article ${n} of run ${run}.`, tagList: ['load'] },
      },
      token,
      'post',
    );
    const slug = (post.body as { article?: { slug?: string } } | undefined)?.article?.slug;
    if (post.status === 201 && slug) acknowledged.push({ slug, at: performance.now(), startedAt: postStartedAt });
    else postsStarted -= 1;
    const limit = 20;
    for (let i = 0; i < readsPerUser; i += 1) {
      const readStartedAt = performance.now();
      const list = await request('GET', `/api/articles?limit=${limit}`, undefined, options.authReads ? token : undefined, 'list');
      if (list.status === 200) checkList(list.body, readStartedAt, limit);
    }
  }

  let next = 0;
  // On a terminal, a bar redrawn in place; elsewhere (logs, CI, the bench's pipe) a plain line every
  // few seconds, since a \r-redrawn bar would fill a log with hundreds of lines.
  const tty = process.stderr.isTTY;
  const progressText = () => `${usersDone}/${options.users} users, ${requests} requests, ${errors} errors`;
  const progress = (final = false) => {
    if (!options.progress) return;
    if (!tty) {
      process.stderr.write(
        `load: ${progressText()}, ${((performance.now() - started) / 1000).toFixed(0)} s${final ? ', done' : ''}\n`,
      );
      return;
    }
    const width = 30;
    const filled = Math.round((usersDone / options.users) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${progressText()}${final ? '\n' : ''}`);
  };
  const ticker = options.progress ? setInterval(() => progress(), tty ? 200 : 5000) : undefined;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < options.users && performance.now() < deadline) {
        const n = next;
        next += 1;
        await virtualUser(n);
        usersDone += 1;
      }
    }),
  );
  if (ticker) clearInterval(ticker);
  progress(true);

  const result: LoadResult = {
    users: usersDone,
    requests,
    errors,
    staleReads,
    staleExamples,
    durationMs: Math.round(performance.now() - started),
    latencyMs: summarize(latencies),
    listLatencyMs: summarize(listLatencies),
  };
  if (options.metricsUrl && before) {
    const after = await snapshot(options.metricsUrl);
    const hits = after.hits - before.hits;
    const misses = after.misses - before.misses;
    result.cacheHits = hits;
    result.cacheMisses = misses;
    result.hitRatio = hits + misses > 0 ? hits / (hits + misses) : undefined;
    // Exact from the service's own histogram (labelled by method and route); undefined when other
    // clients listed articles meanwhile, since their statements would be mixed in.
    const gets = after.listGets - before.listGets;
    const statements = after.listGetStatements - before.listGetStatements;
    result.sqlPerListGet = gets === listRequests && gets > 0 ? statements / gets : undefined;
  }
  return result;
}

function formatSummary(r: LoadResult): string {
  const lat = (s: LatencySummary) => `p50 ${s.p50} ms, p90 ${s.p90} ms, p99 ${s.p99} ms, max ${s.max} ms`;
  const lines = [
    `users         ${r.users}`,
    `requests      ${r.requests} in ${(r.durationMs / 1000).toFixed(1)} s (${Math.round((r.requests * 1000) / Math.max(1, r.durationMs))}/s)`,
    `errors        ${r.errors}`,
    `stale reads   ${r.staleReads}${r.staleExamples.length ? ` (${r.staleExamples[0]})` : ''}`,
    `latency       ${lat(r.latencyMs)}`,
    `list latency  ${lat(r.listLatencyMs)}`,
  ];
  if (r.hitRatio !== undefined)
    lines.push(`hit ratio     ${r.hitRatio.toFixed(3)} (${r.cacheHits} hits, ${r.cacheMisses} misses)`);
  if (r.sqlPerListGet !== undefined) lines.push(`SQL per list  ${r.sqlPerListGet.toFixed(3)} statements per GET /api/articles`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '10' },
      concurrency: { type: 'string' },
      reads: { type: 'string', default: '5' },
      'base-url': { type: 'string', default: 'http://127.0.0.1:3000' },
      'metrics-url': { type: 'string', default: 'http://127.0.0.1:9464/metrics' },
      'no-metrics': { type: 'boolean', default: false },
      'auth-reads': { type: 'boolean', default: false },
      'max-seconds': { type: 'string', default: '120' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run load -- [--users N] [--concurrency C] [--reads 5] [--base-url URL] [--metrics-url URL | --no-metrics] [--auth-reads] [--max-seconds S] [--json]\n',
    );
    return;
  }
  const int = (name: string, text: string, max: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be an integer from 1 to ${max}`);
    return n;
  };
  const users = int('users', values.users, 100_000);
  const result = await runLoad({
    baseUrl: values['base-url'].replace(/\/$/, ''),
    metricsUrl: values['no-metrics'] ? undefined : values['metrics-url'],
    users,
    concurrency: values.concurrency ? int('concurrency', values.concurrency, 10_000) : Math.min(users, 50),
    readsPerUser: int('reads', values.reads, 1000),
    authReads: values['auth-reads'],
    maxDurationMs: int('max-seconds', values['max-seconds'], 86_400) * 1000,
    progress: !values.json || process.stderr.isTTY,
  });
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatSummary(result)}\n`);
  if (result.errors > 0 || result.staleReads > 0) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`load: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
}
