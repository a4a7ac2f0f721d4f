// The thin Kubernetes layer: reads what the checks need into a Snapshot. No decisions here,
// except which Prometheus to ask (made by the same pure selection code the checks use).
import https from 'node:https';
import http from 'node:http';
import { AppsV1Api, BatchV1Api, CoreV1Api, CustomObjectsApi, DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import { MIGRATE_CONTAINER, migrateFailed } from './checks/migration.js';
import { selectingPrometheuses } from './checks/prometheus-selection.js';
import { grafanaSidecars } from './grafana-sidecar.js';
import type { Prometheus, PrometheusApiView, PrometheusRule, ServiceMonitor, Snapshot } from './types.js';

export interface Target {
  release: string;
  namespace: string;
  dashboardsNamespace?: string;
  /** namespace/name of the Prometheus to query. */
  prometheus?: string;
}

const MONITORING = { group: 'monitoring.coreos.com', version: 'v1' };
const TIMEOUT_MS = 10_000;

/** HTTP status of a client-node ApiException, if that is what err is. */
const statusOf = (err: unknown): number | undefined =>
  typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number' ? err.code : undefined;

/** Lists a monitoring.coreos.com kind; undefined when the CRD is not installed (404). */
async function listMonitoring<T>(custom: CustomObjectsApi, plural: string, labelSelector?: string): Promise<T[] | undefined> {
  try {
    // client-node types a custom object list as any: it is the API's JSON, read as T's list.
    const list: unknown = await custom.listClusterCustomObject({ ...MONITORING, plural, labelSelector });
    return (list as { items?: T[] }).items ?? [];
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

/** GET a path on the API server (used for the service proxy, whose path must stay unescaped). */
async function getRaw(kc: KubeConfig, path: string): Promise<string> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster in the kubeconfig');
  const url = new URL(path, cluster.server);
  const opts: https.RequestOptions = { method: 'GET', timeout: TIMEOUT_MS, headers: {} };
  await kc.applyToHTTPSOptions(opts);
  const lib = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 400) reject(new Error(`HTTP ${res.statusCode}: ${body.slice(0, 200)}`));
        else resolve(body);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Ask Prometheus through the API server's service proxy (the operator's prometheus-operated Service). */
async function queryPrometheus(kc: KubeConfig, prom: Prometheus): Promise<PrometheusApiView> {
  const ns = prom.metadata.namespace ?? 'default';
  const view: PrometheusApiView = { prometheus: `${ns}/${prom.metadata.name}` };
  const base = `/api/v1/namespaces/${encodeURIComponent(ns)}/services/prometheus-operated:web/proxy/api/v1`;
  const get = async <T>(what: string): Promise<T> => {
    const body = JSON.parse(await getRaw(kc, `${base}/${what}`)) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(body.error ?? `status ${body.status}`);
    return body.data;
  };
  try {
    view.targets = (await get<{ activeTargets: PrometheusApiView['targets'] }>('targets')).activeTargets ?? [];
    view.ruleGroups = (await get<{ groups: PrometheusApiView['ruleGroups'] }>('rules')).groups ?? [];
    view.alerts = (await get<{ alerts: PrometheusApiView['alerts'] }>('alerts')).alerts ?? [];
  } catch (err) {
    view.error = err instanceof Error ? err.message : String(err);
  }
  return view;
}

export async function collect(kc: KubeConfig, t: Target): Promise<Snapshot> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const { namespace } = t;
  const instance = `app.kubernetes.io/instance=${t.release}`;
  const api = `${instance},app.kubernetes.io/component=api`;
  const migrations = `${instance},app.kubernetes.io/component=migrations`;

  const [deployments, pods, services, jobs, migrationPods, configMaps, grafanas] = await Promise.all([
    apps.listNamespacedDeployment({ namespace, labelSelector: api }),
    core.listNamespacedPod({ namespace, labelSelector: api }),
    core.listNamespacedService({ namespace, labelSelector: api }),
    batch.listNamespacedJob({ namespace, labelSelector: migrations }),
    core.listNamespacedPod({ namespace, labelSelector: migrations }),
    core.listNamespacedConfigMap({ namespace: t.dashboardsNamespace ?? namespace, labelSelector: instance }),
    apps.listDeploymentForAllNamespaces({ labelSelector: 'app.kubernetes.io/name=grafana' }),
  ]);
  const service = services.items[0];
  const endpointSlices = service?.metadata?.name
    ? (
        await discovery.listNamespacedEndpointSlice({
          namespace,
          labelSelector: `kubernetes.io/service-name=${service.metadata.name}`,
        })
      ).items
    : [];

  const [serviceMonitors, prometheusRules, prometheuses] = await Promise.all([
    listMonitoring<ServiceMonitor>(custom, 'servicemonitors', instance),
    listMonitoring<PrometheusRule>(custom, 'prometheusrules', instance),
    listMonitoring<Prometheus>(custom, 'prometheuses'),
  ]);

  // Namespace labels, for Prometheus namespace selectors. Missing rights leave them empty.
  const nsNames = new Set([
    namespace,
    ...[...(serviceMonitors ?? []), ...(prometheusRules ?? [])].map((o) => o.metadata.namespace ?? namespace),
  ]);
  const namespaces: Snapshot['namespaces'] = {};
  for (const name of nsNames) {
    namespaces[name] = await core.readNamespace({ name }).then(
      (n) => n.metadata?.labels ?? {},
      () => ({}),
    );
  }

  // The log of a failed migrate init container (the previous run when it crash-loops).
  const migrationLogs: Record<string, string> = {};
  for (const pod of pods.items) {
    const name = pod.metadata?.name;
    const c = pod.status?.initContainerStatuses?.find((x) => x.name === MIGRATE_CONTAINER);
    if (!name || !c || !migrateFailed(c)) continue;
    const previous = !c.state?.terminated;
    migrationLogs[name] = await core
      .readNamespacedPodLog({ name, namespace, container: MIGRATE_CONTAINER, previous, tailLines: 40 })
      .catch(() => '');
  }

  const snapshot: Snapshot = {
    release: t.release,
    namespace,
    namespaces,
    deployment: deployments.items[0],
    pods: pods.items,
    service,
    endpointSlices,
    migrationJobs: jobs.items,
    migrationPods: migrationPods.items,
    migrationLogs,
    serviceMonitors: serviceMonitors ?? [],
    prometheusRules: prometheusRules ?? [],
    prometheuses,
    dashboards: configMaps.items.filter((cm) => Object.keys(cm.data ?? {}).some((k) => k.endsWith('.json'))),
    grafanaSidecars: grafanaSidecars(grafanas.items),
  };

  const chosen = t.prometheus
    ? prometheuses?.find((p) => `${p.metadata.namespace}/${p.metadata.name}` === t.prometheus)
    : [...snapshot.serviceMonitors, ...snapshot.prometheusRules]
        .map(
          (o) =>
            selectingPrometheuses(snapshot, o, 'spec' in o && 'endpoints' in o.spec ? 'ServiceMonitor' : 'PrometheusRule')[0],
        )
        .find((p) => p !== undefined);
  if (chosen) snapshot.prometheusApi = await queryPrometheus(kc, chosen);
  else if (t.prometheus) snapshot.prometheusApi = { prometheus: t.prometheus, error: 'no such Prometheus resource' };
  return snapshot;
}
