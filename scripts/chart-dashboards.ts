/**
 * Generates the chart's Grafana dashboards (charts/blog-api/dashboards/*.json) from the short panel
 * lists below, so that five dashboards share one layout, one set of variables and one selector.
 * Run after editing: npx tsx scripts/chart-dashboards.ts   (test/chart/dashboards.test.ts checks
 * that the committed JSON is up to date and that every query parses and names known metrics).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** This release's raw series (the ServiceMonitor sets job = the Service's name = the release's full name). */
const S = 'namespace="$namespace",job="$job"';
const API = `${S},route=~"/api/.*"`;
/** This release's recorded SLO series (the chart's PrometheusRule labels them so). */
const SLO = 'namespace="$namespace",service="$job"';
/** cAdvisor / kube-state-metrics series of the API containers. */
const POD = 'namespace="$namespace",pod=~"$job-[a-z0-9]+-[a-z0-9]+",container="api"';
const RI = '$__rate_interval';
/** Shed reasons that are 503s: rate_limited is a 429 (a client over its budget). */
const NOT_RATE_LIMITED = 'reason!="rate_limited"';
/** The transaction statements of db_query_duration_seconds. */
const TX = 'operation=~"transaction[.](begin|commit|rollback)"';

interface Target {
  expr: string;
  legend: string;
}
interface Panel {
  title: string;
  description?: string;
  type?: 'timeseries' | 'stat';
  unit?: string;
  /** grid width out of 24 */
  width?: number;
  min?: number;
  max?: number;
  targets: Target[];
}

const t = (expr: string, legend: string): Target => ({ expr, legend });
const quantiles = (metric: string, sel: string, by = ''): Target[] =>
  [0.5, 0.9, 0.95, 0.99].map((q) =>
    t(
      `histogram_quantile(${q}, sum by (${by ? `${by}, ` : ''}le) (rate(${metric}_bucket{${sel}}[${RI}])))`,
      `p${q * 100}${by ? ` {{${by}}}` : ''}`,
    ),
  );
/**
 * `sum by (BY) (PART)`, or 0 for each BY value of ALL that has no PART series yet (a route without
 * any 5xx): a healthy service shows 0, not "No data", as the availability SLI recording rule does.
 */
const orZero = (part: string, all: string, by: string): string => `sum by (${by}) (${part}) or 0 * sum by (${by}) (${all})`;
/** PART / ALL per BY, 0 where PART has no series yet. */
const orZeroRatio = (part: string, all: string, by: string): string => `(${orZero(part, all, by)}) / sum by (${by}) (${all})`;
const hitRatio = `sum by (cache) (rate(redis_cache_hits_total{${S}}[${RI}]))
/
(sum by (cache) (rate(redis_cache_hits_total{${S}}[${RI}])) + sum by (cache) (rate(redis_cache_misses_total{${S}}[${RI}])))`;
const burn = (window: string) =>
  t(
    `slo:sli_error:ratio_rate${window}{${SLO}} / on (slo, service, namespace) slo:error_budget:ratio{${SLO}}`,
    `{{slo}} ${window}`,
  );

export const DASHBOARDS: Record<string, { title: string; description: string; panels: Panel[] }> = {
  slo: {
    title: 'Blog API / SLO',
    description: 'Availability and latency SLOs: success ratio against objective, error budget, burn rates.',
    panels: [
      {
        title: 'Availability, 30d',
        type: 'stat',
        unit: 'percentunit',
        width: 6,
        targets: [t(`1 - slo:sli_error:ratio_rate30d{slo="availability",${SLO}}`, 'success')],
      },
      {
        title: 'Latency SLI, 30d',
        type: 'stat',
        unit: 'percentunit',
        width: 6,
        targets: [t(`1 - slo:sli_error:ratio_rate30d{slo="latency",${SLO}}`, 'within threshold')],
      },
      {
        title: 'Error budget remaining',
        description: "Share of the period's error budget not yet spent (below 0: SLO missed).",
        type: 'stat',
        unit: 'percentunit',
        width: 12,
        targets: [t(`slo:period_error_budget_remaining:ratio{${SLO}}`, '{{slo}}')],
      },
      {
        title: 'Success ratio vs objective',
        unit: 'percentunit',
        targets: [
          t(`1 - slo:sli_error:ratio_rate5m{slo="availability",${SLO}}`, 'non-5xx, 5m'),
          t(`1 - slo:sli_error:ratio_rate1h{slo="availability",${SLO}}`, 'non-5xx, 1h'),
          t(`slo:objective:ratio{slo="availability",${SLO}}`, 'objective'),
        ],
      },
      {
        title: 'Requests within the latency threshold vs objective',
        unit: 'percentunit',
        targets: [
          t(`1 - slo:sli_error:ratio_rate5m{slo="latency",${SLO}}`, 'fast, 5m'),
          t(`1 - slo:sli_error:ratio_rate1h{slo="latency",${SLO}}`, 'fast, 1h'),
          t(`slo:objective:ratio{slo="latency",${SLO}}`, 'objective'),
        ],
      },
      {
        title: 'Burn rate (1 = spending the budget exactly over the period)',
        description: 'Pages at 14.4x over 1h and 5m, or 6x over 6h and 30m; tickets at 3x (1d, 2h) or 1x (3d, 6h).',
        targets: [burn('5m'), burn('1h'), burn('6h'), burn('1d')],
      },
      { title: 'API latency quantiles', unit: 's', targets: quantiles('http_request_duration_seconds', API) },
    ],
  },
  traffic: {
    title: 'Blog API / Traffic',
    description: 'Requests by route and status, errors and latency per route, in-flight and shed requests.',
    panels: [
      {
        title: 'Requests by route',
        unit: 'reqps',
        targets: [t(`sum by (route) (rate(http_requests_total{${S}}[${RI}]))`, '{{route}}')],
      },
      {
        title: 'Requests by status',
        unit: 'reqps',
        targets: [t(`sum by (status) (rate(http_requests_total{${S}}[${RI}]))`, '{{status}}')],
      },
      {
        title: '5xx ratio by route',
        description: 'A route without any 5xx yet shows 0 (the `or 0 * ...` fallback), as the availability SLI does.',
        unit: 'percentunit',
        targets: [
          t(
            orZeroRatio(
              `rate(http_requests_total{${S},status=~"5.."}[${RI}])`,
              `rate(http_requests_total{${S}}[${RI}])`,
              'route',
            ),
            '{{route}}',
          ),
        ],
      },
      {
        title: 'p99 latency by route',
        unit: 's',
        targets: [
          t(
            `histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket{${S}}[${RI}])))`,
            '{{route}}',
          ),
        ],
      },
      { title: 'In-flight requests', targets: [t(`sum by (pod) (http_requests_in_flight{${S}})`, '{{pod}}')] },
      {
        title: 'Shed requests (503) by reason',
        description: 'Requests refused with 503 and Retry-After to protect the database and the event loop.',
        unit: 'reqps',
        targets: [t(`sum by (reason) (rate(http_requests_shed_total{${S},${NOT_RATE_LIMITED}}[${RI}]))`, '{{reason}}')],
      },
      {
        title: 'Rate limited (429) by route',
        description:
          'Clients over their per-client budget (RATE_LIMIT_*), refused with 429 and Retry-After. Not counted in the SLIs (slo.excludeMatcher): a flood of them would dilute the 5xx ratio.',
        unit: 'reqps',
        targets: [
          t(`sum(rate(http_requests_shed_total{${S},reason="rate_limited"}[${RI}]))`, 'rate limited (all routes)'),
          t(
            orZero(`rate(http_requests_total{${S},status="429"}[${RI}])`, `rate(http_requests_total{${S}}[${RI}])`, 'route'),
            '429 {{route}}',
          ),
        ],
      },
    ],
  },
  cache: {
    title: 'Blog API / Cache',
    description: 'Redis cache hit ratio per cache, lookups, coalesced fills and cache errors.',
    panels: [
      { title: 'Hit ratio by cache', unit: 'percentunit', min: 0, max: 1, targets: [t(hitRatio, '{{cache}}')] },
      {
        title: 'Lookups by cache',
        unit: 'ops',
        targets: [
          t(`sum by (cache) (rate(redis_cache_hits_total{${S}}[${RI}]))`, 'hits {{cache}}'),
          t(`sum by (cache) (rate(redis_cache_misses_total{${S}}[${RI}]))`, 'misses {{cache}}'),
        ],
      },
      {
        title: 'Fills coalesced (single-flight)',
        description: "Lookups that waited for another request's fill instead of querying MySQL.",
        unit: 'ops',
        targets: [t(`sum by (cache) (rate(cache_fills_coalesced_total{${S}}[${RI}]))`, '{{cache}}')],
      },
      {
        title: 'Cache errors by operation',
        unit: 'ops',
        targets: [t(`sum by (op) (rate(cache_errors_total{${S}}[${RI}]))`, '{{op}}')],
      },
      {
        title: 'Page cache: whole list pages',
        description:
          "Anonymous list pages served whole from Redis (hit) or built and stored (miss); coalesced: requests that waited for another request's build of the same page.",
        unit: 'ops',
        targets: [
          t(`sum by (result) (rate(cache_page_lookups_total{${S}}[${RI}]))`, '{{result}}'),
          t(`sum(rate(cache_fills_coalesced_total{${S},cache="list_page"}[${RI}]))`, 'coalesced'),
        ],
      },
      {
        title: 'Page cache hit ratio',
        unit: 'percentunit',
        min: 0,
        max: 1,
        targets: [
          t(
            `sum(rate(cache_page_lookups_total{${S},result="hit"}[${RI}])) / sum(rate(cache_page_lookups_total{${S}}[${RI}]))`,
            'hit ratio',
          ),
        ],
      },
    ],
  },
  database: {
    title: 'Blog API / Database',
    description: 'Connection pool (active, idle, waiting, acquire time, timeouts), shed requests, statements per request.',
    panels: [
      {
        title: 'Pool connections',
        targets: [
          t(`sum by (state) (db_pool_connections{${S}})`, '{{state}}'),
          t(`sum(db_pool_waiting{${S}})`, 'waiting'),
          t(`sum(db_pool_max{${S}})`, 'max'),
        ],
      },
      { title: 'Pool acquire time', unit: 's', targets: quantiles('db_pool_acquire_duration_seconds', S).slice(2) },
      {
        title: 'Acquire timeouts and shed requests',
        unit: 'reqps',
        targets: [
          t(`sum(rate(db_pool_acquire_timeouts_total{${S}}[${RI}]))`, 'acquire timeouts'),
          // 429s of rate limiting are a client over its budget, not a database symptom
          t(`sum by (reason) (rate(http_requests_shed_total{${S},${NOT_RATE_LIMITED}}[${RI}]))`, 'shed {{reason}}'),
        ],
      },
      {
        title: 'SQL statements per request by method and route (p95)',
        description: 'A page should cost a fixed number of statements; growth with page size is an N+1.',
        targets: [
          t(
            `histogram_quantile(0.95, sum by (method, route, le) (rate(http_request_db_queries_bucket{${S}}[${RI}])))`,
            '{{method}} {{route}}',
          ),
        ],
      },
      {
        title: 'SQL statements per request by method and route (mean)',
        targets: [
          t(
            `sum by (method, route) (rate(http_request_db_queries_sum{${S}}[${RI}])) / sum by (method, route) (rate(http_request_db_queries_count{${S}}[${RI}]))`,
            '{{method}} {{route}}',
          ),
        ],
      },
      {
        title: 'Query p99 by operation',
        unit: 's',
        targets: [
          t(
            `histogram_quantile(0.99, sum by (operation, le) (rate(db_query_duration_seconds_bucket{${S}}[${RI}])))`,
            '{{operation}}',
          ),
        ],
      },
      {
        title: 'Transactions: begin, commit, rollback',
        description: 'A commit waits for the fsync of the redo log: its p99 is the durable-write floor of every write.',
        unit: 's',
        targets: [
          t(
            `histogram_quantile(0.99, sum by (operation, le) (rate(db_query_duration_seconds_bucket{${S},${TX}}[${RI}])))`,
            'p99 {{operation}}',
          ),
          t(
            `sum by (operation) (rate(db_query_duration_seconds_sum{${S},${TX}}[${RI}])) / sum by (operation) (rate(db_query_duration_seconds_count{${S},${TX}}[${RI}]))`,
            'mean {{operation}}',
          ),
        ],
      },
    ],
  },
  runtime: {
    title: 'Blog API / Runtime',
    description: 'Node.js runtime per pod: CPU, memory, event-loop lag, GC; container limits and restarts.',
    panels: [
      {
        title: 'CPU',
        unit: 'percentunit',
        targets: [
          t(`sum by (pod) (rate(process_cpu_seconds_total{${S}}[${RI}]))`, 'process {{pod}}'),
          t(`sum by (pod) (rate(container_cpu_usage_seconds_total{${POD}}[${RI}]))`, 'container {{pod}}'),
        ],
      },
      {
        title: 'Memory',
        unit: 'bytes',
        targets: [
          t(`sum by (pod) (process_resident_memory_bytes{${S}})`, 'RSS {{pod}}'),
          t(`sum by (pod) (nodejs_heap_size_used_bytes{${S}})`, 'heap used {{pod}}'),
          t(`sum by (pod) (container_memory_working_set_bytes{${POD}})`, 'working set {{pod}}'),
          t(`max(kube_pod_container_resource_limits{${POD},resource="memory"})`, 'limit'),
        ],
      },
      {
        title: 'Event-loop lag',
        unit: 's',
        targets: [
          t(`max by (pod) (nodejs_eventloop_lag_p99_seconds{${S}})`, 'p99 {{pod}}'),
          t(`max by (pod) (nodejs_eventloop_lag_mean_seconds{${S}})`, 'mean {{pod}}'),
        ],
      },
      {
        title: 'GC time by kind',
        unit: 'percentunit',
        targets: [t(`sum by (kind) (rate(nodejs_gc_duration_seconds_sum{${S}}[${RI}]))`, '{{kind}}')],
      },
      {
        title: 'Container restarts and available replicas',
        targets: [
          t(`sum by (pod) (increase(kube_pod_container_status_restarts_total{${POD}}[1h]))`, 'restarts/1h {{pod}}'),
          t(`max(kube_deployment_status_replicas_available{namespace="$namespace",deployment="$job"})`, 'available replicas'),
        ],
      },
    ],
  },
};

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

function variable(name: string, label: string, query: string) {
  return { name, label, type: 'query', datasource: DATASOURCE, query: { query, refId: name }, refresh: 2, sort: 1, current: {} };
}

/** One Grafana dashboard model (schemaVersion 39), panels laid out in rows of `width`. */
export function buildDashboard(uid: string, def: { title: string; description: string; panels: Panel[] }): object {
  let x = 0;
  let y = 0;
  const panels = def.panels.map((p, i) => {
    const w = p.width ?? 12;
    const h = p.type === 'stat' ? 5 : 8;
    if (x + w > 24) {
      x = 0;
      y += 8;
    }
    const gridPos = { x, y, w, h };
    x += w;
    return {
      id: i + 1,
      type: p.type ?? 'timeseries',
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource: DATASOURCE,
      gridPos,
      fieldConfig: {
        defaults: {
          unit: p.unit ?? 'short',
          ...(p.min !== undefined ? { min: p.min } : {}),
          ...(p.max !== undefined ? { max: p.max } : {}),
        },
        overrides: [],
      },
      options: {},
      targets: p.targets.map((tg, j) => ({
        datasource: DATASOURCE,
        refId: String.fromCharCode(65 + j),
        expr: tg.expr,
        legendFormat: tg.legend,
      })),
    };
  });
  return {
    uid: `blog-api-${uid}`,
    title: def.title,
    description: def.description,
    tags: ['blog-api'],
    editable: true,
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    links: Object.entries(DASHBOARDS).map(([k, { title }]) => ({
      title,
      type: 'link',
      url: `/d/blog-api-${k}/blog-api-${k}?\${__url_time_range}&\${namespace:queryparam}&\${job:queryparam}`,
    })),
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {} },
        variable('namespace', 'Namespace', 'label_values(http_requests_total, namespace)'),
        variable('job', 'Release', 'label_values(http_requests_total{namespace="$namespace"}, job)'),
      ],
    },
    panels,
  };
}

export const DASHBOARD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'charts', 'blog-api', 'dashboards');

/** file name → file content */
export function renderDashboardFiles(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(DASHBOARDS).map(([uid, def]) => [
      `blog-api-${uid}.json`,
      `${JSON.stringify(buildDashboard(uid, def), null, 2)}\n`,
    ]),
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [file, content] of Object.entries(renderDashboardFiles())) writeFileSync(path.join(DASHBOARD_DIR, file), content);
  console.log(`wrote ${Object.keys(DASHBOARDS).length} dashboards to ${path.relative(process.cwd(), DASHBOARD_DIR)}`);
}
