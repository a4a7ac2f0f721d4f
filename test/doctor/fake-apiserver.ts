// A loopback stand-in for the Kubernetes API server, serving fixture objects by URL, so the
// doctor's thin client-node layer and CLI run end to end without a cluster. It answers only the
// list/get calls the doctor makes and records every path asked for.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Snapshot } from '../../scripts/doctor/types.js';

export interface FakeApiServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

const list = (kind: string, items: unknown[]) => ({ kind: `${kind}List`, apiVersion: 'v1', metadata: {}, items });

export async function startFakeApiServer(s: Snapshot, grafanaDeployments: unknown[]): Promise<FakeApiServer> {
  const requests: string[] = [];
  const ns = s.namespace;
  const byComponent = (selector: string | null) => (selector?.includes('component=migrations') ? s.migrationPods : s.pods);
  const routes: Record<string, (q: URLSearchParams) => unknown> = {
    [`/apis/apps/v1/namespaces/${ns}/deployments`]: () => list('Deployment', s.deployment ? [s.deployment] : []),
    [`/api/v1/namespaces/${ns}/pods`]: (q) => list('Pod', byComponent(q.get('labelSelector'))),
    [`/api/v1/namespaces/${ns}/services`]: () => list('Service', s.service ? [s.service] : []),
    [`/apis/batch/v1/namespaces/${ns}/jobs`]: () => list('Job', s.migrationJobs),
    [`/api/v1/namespaces/${ns}/configmaps`]: () => list('ConfigMap', s.dashboards),
    '/apis/apps/v1/deployments': () => list('Deployment', grafanaDeployments),
    [`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`]: () => list('EndpointSlice', s.endpointSlices),
    '/apis/monitoring.coreos.com/v1/servicemonitors': () => list('ServiceMonitor', s.serviceMonitors),
    '/apis/monitoring.coreos.com/v1/prometheusrules': () => list('PrometheusRule', s.prometheusRules),
    '/apis/monitoring.coreos.com/v1/prometheuses': () => list('Prometheus', s.prometheuses ?? []),
    [`/api/v1/namespaces/${ns}`]: () => ({
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: ns, labels: s.namespaces[ns] },
    }),
  };
  const proxy = '/api/v1/namespaces/monitoring/services/prometheus-operated:web/proxy/api/v1/';
  const api = s.prometheusApi;
  const promAnswers: Record<string, unknown> = {
    targets: { activeTargets: api?.targets ?? [], droppedTargets: [] },
    rules: { groups: api?.ruleGroups ?? [] },
    alerts: { alerts: api?.alerts ?? [] },
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url.pathname);
    res.setHeader('content-type', 'application/json');
    const route = routes[url.pathname];
    if (route) {
      res.end(JSON.stringify(route(url.searchParams)));
    } else if (url.pathname.startsWith(proxy) && promAnswers[url.pathname.slice(proxy.length)]) {
      res.end(JSON.stringify({ status: 'success', data: promAnswers[url.pathname.slice(proxy.length)] }));
    } else {
      res.statusCode = 404;
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A kubeconfig pointing at the fake server (plain HTTP on loopback; client-node wants skipTLSVerify for it). */
export function kubeconfigFor(url: string, namespace: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake',
    '  cluster:',
    `    server: ${url}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: fake',
    '  user:',
    '    token: fake-token',
    'contexts:',
    '- name: fake',
    '  context:',
    '    cluster: fake',
    '    user: fake',
    `    namespace: ${namespace}`,
    'current-context: fake',
    '',
  ].join('\n');
}
