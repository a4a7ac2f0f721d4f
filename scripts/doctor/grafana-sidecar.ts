// Reads the dashboard-sidecar settings out of Grafana Deployments (pure; kube.ts lists them).
// The grafana chart (used by kube-prometheus-stack) runs kiwigrid/k8s-sidecar as container
// "grafana-sc-dashboard", configured by env: LABEL, LABEL_VALUE, NAMESPACE, RESOURCE.
import type { Container, Deployment, GrafanaSidecar } from './types.js';

function isDashboardSidecar(c: Container): boolean {
  if (c.name.endsWith('sc-dashboard')) return true;
  const folder = c.env?.find((e) => e.name === 'FOLDER')?.value ?? '';
  return (c.image ?? '').includes('k8s-sidecar') && folder.includes('dashboard');
}

export function grafanaSidecars(deployments: readonly Deployment[]): GrafanaSidecar[] {
  const found: GrafanaSidecar[] = [];
  for (const d of deployments) {
    const ns = d.metadata?.namespace ?? 'default';
    const spec = d.spec?.template.spec;
    for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
      if (!isDashboardSidecar(c)) continue;
      const env = (name: string) => c.env?.find((e) => e.name === name)?.value;
      const namespaces = env('NAMESPACE');
      found.push({
        grafana: `${ns}/${d.metadata?.name ?? '?'}`,
        namespace: ns,
        label: env('LABEL') ?? 'grafana_dashboard',
        labelValue: env('LABEL_VALUE'),
        searchNamespaces:
          namespaces === undefined || namespaces === ''
            ? undefined
            : namespaces === 'ALL'
              ? 'ALL'
              : namespaces.split(',').map((n) => n.trim()),
        resource: env('RESOURCE') ?? 'both',
      });
      break; // one dashboard sidecar per Grafana (init and watch variants share settings)
    }
  }
  return found;
}
