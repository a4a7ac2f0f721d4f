/**
 * Which metric names the chart's rules and dashboards may query: design.md's list (the service's
 * contract), prom-client's default metrics (asked from prom-client itself), and an explicit list of
 * kube-state-metrics and cAdvisor series. Recording-rule outputs of the chart are added by the tests.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

/** design.md "Metric names", with the series a histogram exposes. */
const DESIGN_COUNTERS_GAUGES = [
  'http_requests_total',
  'http_requests_in_flight',
  'http_requests_shed_total',
  'redis_cache_hits_total',
  'redis_cache_misses_total',
  'cache_fills_coalesced_total',
  'cache_page_lookups_total',
  'cache_errors_total',
  'db_pool_connections',
  'db_pool_waiting',
  'db_pool_max',
  'db_pool_acquire_timeouts_total',
];
const DESIGN_HISTOGRAMS = [
  'http_request_duration_seconds',
  'http_request_db_queries',
  'db_pool_acquire_duration_seconds',
  'db_query_duration_seconds',
];

/** Cluster-side series used by the runtime dashboard (kube-prometheus-stack scrapes both). */
export const KUBE_METRICS = [
  'container_cpu_usage_seconds_total', // cAdvisor
  'container_memory_working_set_bytes', // cAdvisor
  'kube_pod_container_resource_limits', // kube-state-metrics
  'kube_pod_container_status_restarts_total', // kube-state-metrics
  'kube_deployment_status_replicas_available', // kube-state-metrics
];

/** Series Prometheus writes itself: `up` of every target (BlogApiTargetDown). */
export const PROMETHEUS_METRICS = ['up'];

const histogramSeries = (name: string) => [`${name}_bucket`, `${name}_sum`, `${name}_count`];

export function designMetrics(): string[] {
  return [...DESIGN_COUNTERS_GAUGES, ...DESIGN_HISTOGRAMS.flatMap(histogramSeries)];
}

export async function promClientDefaultMetrics(): Promise<string[]> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = await registry.getMetricsAsJSON();
  return metrics.flatMap((m) => (String(m.type) === 'histogram' ? histogramSeries(m.name) : [m.name]));
}
