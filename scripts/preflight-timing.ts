/**
 * How long the service takes to answer CORS preflights, measured against a running service:
 * every route of its own OpenAPI document, preflighted `--rounds` times, one after the other.
 *
 *   npx tsx scripts/preflight-timing.ts --base-url http://127.0.0.1:3000 \
 *     --metrics-url http://127.0.0.1:9464/metrics [--rounds 50] [--origin http://localhost:5173]
 *
 * Reports the client's round trip (an upper bound of the server's time: it includes the loopback
 * and the client's own work) and, from the service's own histogram
 * http_request_duration_seconds{route="preflight"}, the share of preflights served within 5 ms
 * (its smallest bucket), plus the SQL statements they issued (must be 0). A measurement, not a
 * test: the numbers depend on the machine's load.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'base-url': { type: 'string', default: 'http://127.0.0.1:3000' },
    'metrics-url': { type: 'string', default: 'http://127.0.0.1:9464/metrics' },
    rounds: { type: 'string', default: '50' },
    origin: { type: 'string', default: 'http://localhost:5173' },
  },
});
const baseUrl = values['base-url'];
const metricsUrl = values['metrics-url'];
const rounds = Number(values.rounds);

/** Sum of the samples of `name` whose labels include `labels` (Prometheus text format). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const [, key = '', value = ''] of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) found[key] = value;
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) total += Number(match[3]);
  }
  return total;
}

interface Figures {
  count: number;
  within5ms: number;
  statements: number;
}

async function figures(): Promise<Figures> {
  const text = await (await fetch(metricsUrl)).text();
  const preflight = { route: 'preflight' };
  return {
    count: sample(text, 'http_request_duration_seconds_count', preflight),
    within5ms: sample(text, 'http_request_duration_seconds_bucket', { ...preflight, le: '0.005' }),
    statements: sample(text, 'http_request_db_queries_sum', preflight),
  };
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

const doc = (await (await fetch(`${baseUrl}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
const routes = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.keys(item).map((method) => ({
    method: method.toUpperCase(),
    path: `/api${path.replace('{username}', 'someone').replace('{slug}', 'some-article').replace('{id}', '1')}`,
  })),
);

const before = await figures();
const roundTrips: number[] = [];
for (let round = 0; round < rounds; round += 1) {
  for (const { method, path } of routes) {
    const started = performance.now();
    const res = await fetch(baseUrl + path, {
      method: 'OPTIONS',
      headers: {
        Origin: values.origin,
        'Access-Control-Request-Method': method,
        'Access-Control-Request-Headers': 'authorization,content-type',
      },
    });
    await res.arrayBuffer();
    roundTrips.push(performance.now() - started);
    if (res.status !== 204) throw new Error(`${method} ${path}: preflight answered ${res.status}`);
  }
}
const after = await figures();
roundTrips.sort((a, b) => a - b);
const served = after.count - before.count;
console.log(
  JSON.stringify(
    {
      preflights: roundTrips.length,
      routes: routes.length,
      clientRoundTripMs: {
        p50: +quantile(roundTrips, 0.5).toFixed(2),
        p90: +quantile(roundTrips, 0.9).toFixed(2),
        p99: +quantile(roundTrips, 0.99).toFixed(2),
        max: +(roundTrips.at(-1) ?? NaN).toFixed(2),
      },
      serverHistogram: { counted: served, within5ms: after.within5ms - before.within5ms },
      serverShareWithin5ms: served > 0 ? +((after.within5ms - before.within5ms) / served).toFixed(4) : null,
      sqlStatements: after.statements - before.statements,
    },
    null,
    2,
  ),
);
