// Grafana's dashboard sidecar (kube-prometheus-stack's grafana-sc-dashboard container) loads only
// ConfigMaps carrying its label, in the namespaces it searches.
import { fail, pass, warn } from '../result.js';
import type { CheckResult, ConfigMap, GrafanaSidecar, Snapshot } from '../types.js';

/** Why sidecar would not load dashboard, or undefined when it would. */
export function whySidecarMisses(sidecar: GrafanaSidecar, cm: ConfigMap): string | undefined {
  const labels = cm.metadata?.labels ?? {};
  const ns = cm.metadata?.namespace ?? '';
  if (sidecar.resource === 'secret') return `${sidecar.grafana} loads dashboards from Secrets only (RESOURCE=secret)`;
  if (!Object.hasOwn(labels, sidecar.label)) {
    return `${sidecar.grafana} looks for label ${sidecar.label}${sidecar.labelValue !== undefined ? `=${sidecar.labelValue}` : ''}, absent on ${cm.metadata?.name}`;
  }
  if (sidecar.labelValue !== undefined && labels[sidecar.label] !== sidecar.labelValue) {
    return `${sidecar.grafana} wants ${sidecar.label}=${sidecar.labelValue}, ${cm.metadata?.name} has ${sidecar.label}=${labels[sidecar.label]}`;
  }
  const searched = sidecar.searchNamespaces ?? [sidecar.namespace];
  if (searched !== 'ALL' && !searched.includes(ns)) {
    return `${sidecar.grafana} searches namespace(s) ${searched.join(', ')}, the dashboards are in ${ns}`;
  }
  return undefined;
}

export function grafanaDashboards(s: Snapshot): CheckResult {
  const id = 'grafana-dashboards';
  const title = 'Grafana sidecar loads dashboards';
  if (s.dashboards.length === 0) {
    return warn(
      id,
      title,
      `no dashboard ConfigMaps of release "${s.release}"`,
      `helm upgrade ${s.release} charts/blog-api --reuse-values --set dashboards.enabled=true (pass --dashboards-namespace if dashboards.namespace is set)`,
    );
  }
  const [firstSidecar] = s.grafanaSidecars;
  if (firstSidecar === undefined) {
    return fail(
      id,
      title,
      'no Grafana with a dashboard sidecar was found in the cluster',
      'install kube-prometheus-stack with grafana.sidecar.dashboards.enabled=true (its default; k8s/kube-prometheus-stack-values.yaml keeps it on)',
    );
  }
  for (const sidecar of s.grafanaSidecars) {
    if (s.dashboards.every((cm) => whySidecarMisses(sidecar, cm) === undefined)) {
      return pass(
        id,
        title,
        `${s.dashboards.length} dashboard(s) match ${sidecar.grafana} (${sidecar.label}${sidecar.labelValue !== undefined ? `=${sidecar.labelValue}` : ''})`,
      );
    }
  }
  // None loads them all: explain with the first Grafana's sidecar.
  const sidecar = firstSidecar;
  const reasons = [...new Set(s.dashboards.map((cm) => whySidecarMisses(sidecar, cm)).filter((r) => r))];
  const fix = reasons.some((r) => r?.includes('searches namespace'))
    ? `set grafana.sidecar.dashboards.searchNamespace=ALL in kube-prometheus-stack, or --set dashboards.namespace=${sidecar.namespace}`
    : `helm upgrade ${s.release} charts/blog-api --reuse-values --set-string dashboards.labels.${sidecar.label}=${sidecar.labelValue ?? '1'}`;
  return fail(id, title, reasons.join('; '), fix);
}
