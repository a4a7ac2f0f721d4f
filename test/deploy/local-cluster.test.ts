// kind config and kube-prometheus-stack values for local clusters: structure, and that the
// Prometheus and Grafana they configure select what charts/blog-api renders (checked with the
// doctor's own selection logic on k8s/blog-api*.yaml; no cluster is used).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { whySidecarMisses } from '../../scripts/doctor/checks/grafana.js';
import { whyNotSelected } from '../../scripts/doctor/checks/prometheus-selection.js';
import type { Meta, Prometheus } from '../../scripts/doctor/types.js';
import { loadAllYaml, loadYaml, read } from './repo.js';

type Selector = Prometheus['spec']['serviceMonitorSelector'];
/** The parts of k8s/kube-prometheus-stack-values.yaml these tests read. */
interface KpsValues {
  prometheus?: {
    prometheusSpec?: Partial<
      Record<'serviceMonitorSelector' | 'serviceMonitorNamespaceSelector' | 'ruleSelector' | 'ruleNamespaceSelector', Selector>
    > &
      Partial<Record<'serviceMonitorSelectorNilUsesHelmValues' | 'ruleSelectorNilUsesHelmValues', boolean>>;
  };
  grafana: {
    sidecar: { dashboards: { enabled: boolean; label: string; labelValue?: string; searchNamespace?: 'ALL' | string[] } };
  };
  [component: string]: unknown;
}
interface KindConfig {
  kind: string;
  apiVersion: string;
  name: string;
  nodes: { role: string }[];
}
interface Doc {
  kind: string;
  metadata: Meta;
  data?: Record<string, string>;
}
const kps = loadYaml('k8s/kube-prometheus-stack-values.yaml') as KpsValues;
const KPS_RELEASE = /^KPS_RELEASE=(\S+)/m.exec(read('k8s/stack.sh'))?.[1] ?? '';

/** The Prometheus kube-prometheus-stack renders from these values (its prometheus.yaml logic). */
function prometheusFromValues(v: KpsValues): Prometheus {
  const spec = v.prometheus?.prometheusSpec ?? {};
  const pick = (
    sel: 'serviceMonitorSelector' | 'ruleSelector',
    nil: 'serviceMonitorSelectorNilUsesHelmValues' | 'ruleSelectorNilUsesHelmValues',
  ): Selector => {
    const given = spec[sel];
    if (given && Object.keys(given).length) return given;
    return spec[nil] === false ? {} : { matchLabels: { release: KPS_RELEASE } };
  };
  return {
    metadata: { name: `${KPS_RELEASE}-prometheus`, namespace: 'monitoring' },
    spec: {
      serviceMonitorSelector: pick('serviceMonitorSelector', 'serviceMonitorSelectorNilUsesHelmValues'),
      serviceMonitorNamespaceSelector: spec.serviceMonitorNamespaceSelector ?? {},
      ruleSelector: pick('ruleSelector', 'ruleSelectorNilUsesHelmValues'),
      ruleNamespaceSelector: spec.ruleNamespaceSelector ?? {},
    },
  };
}

describe('k8s/kind-config.yaml', () => {
  it('is a kind v1alpha4 Cluster named like the scripts and skaffold expect', () => {
    const cfg = loadYaml('k8s/kind-config.yaml') as KindConfig;
    assert.equal(cfg.kind, 'Cluster');
    assert.equal(cfg.apiVersion, 'kind.x-k8s.io/v1alpha4');
    assert.match(read('scripts/kind-up.sh'), new RegExp(`KIND_CLUSTER_NAME:-${cfg.name}\\}`));
    assert.ok(cfg.nodes.length >= 1 && cfg.nodes.every((n) => ['control-plane', 'worker'].includes(n.role)));
    assert.equal(cfg.nodes.filter((n) => n.role === 'control-plane').length, 1);
  });
});

describe('k8s/kube-prometheus-stack-values.yaml', () => {
  const monitoring = loadAllYaml('k8s/blog-api-monitoring.yaml') as Doc[];
  const sm = monitoring.find((d) => d.kind === 'ServiceMonitor');
  const rule = monitoring.find((d) => d.kind === 'PrometheusRule');
  const dashboards = (loadAllYaml('k8s/blog-api.yaml') as Doc[]).filter(
    (d) => d.kind === 'ConfigMap' && Object.keys(d.data ?? {}).some((k) => k.endsWith('.json')),
  );

  it("makes Prometheus select the chart's ServiceMonitor and PrometheusRule", () => {
    assert.ok(sm && rule, 'k8s/blog-api-monitoring.yaml lacks the ServiceMonitor or PrometheusRule');
    const prom = prometheusFromValues(kps);
    const ns = { 'blog-api': {} };
    assert.equal(
      whyNotSelected(
        prom,
        { metadata: { ...sm.metadata, namespace: sm.metadata.namespace ?? 'blog-api' } },
        'ServiceMonitor',
        ns,
      ),
      undefined,
    );
    assert.equal(
      whyNotSelected(prom, { metadata: { ...rule.metadata, namespace: 'blog-api' } }, 'PrometheusRule', ns),
      undefined,
    );
  });
  it('would miss a mislabelled ServiceMonitor (the check can fail)', () => {
    const prom = prometheusFromValues(kps);
    const labels = { ...sm?.metadata.labels, release: 'prometheus' };
    assert.notEqual(
      whyNotSelected(prom, { metadata: { name: 'x', namespace: 'blog-api', labels } }, 'ServiceMonitor', {}),
      undefined,
    );
  });
  it("keeps Grafana's dashboard sidecar on, searching every namespace for the chart's label", () => {
    const d = kps.grafana.sidecar.dashboards;
    assert.equal(d.enabled, true);
    assert.ok(dashboards.length > 0);
    const sidecar = {
      grafana: 'monitoring/grafana',
      namespace: 'monitoring',
      label: d.label,
      labelValue: d.labelValue,
      searchNamespaces: d.searchNamespace,
      resource: 'both',
    };
    for (const cm of dashboards) assert.equal(whySidecarMisses(sidecar, cm), undefined, cm.metadata.name);
  });
  it('switches off the control-plane scrapers that cannot reach kind/minikube components', () => {
    for (const k of ['kubeControllerManager', 'kubeScheduler', 'kubeEtcd', 'kubeProxy'])
      assert.equal((kps[k] as { enabled?: boolean } | undefined)?.enabled, false, k);
  });
  it('is installed under the release name the chart labels its objects with', () => {
    assert.equal(KPS_RELEASE, 'kube-prometheus-stack');
    assert.equal(sm?.metadata.labels?.release, KPS_RELEASE);
  });
});
