// Does some Prometheus pick up our ServiceMonitor and PrometheusRule? The most common
// kube-prometheus-stack pitfall: its Prometheus selects only objects labelled
// release=<its release name>, and a null selector selects nothing at all.
import { fail, pass, skip } from '../result.js';
import { describeSelector, namespaceSelected, selects } from '../selectors.js';
import type { CheckResult, LabelSelector, Meta, Prometheus, Snapshot } from '../types.js';

type Kind = 'ServiceMonitor' | 'PrometheusRule';

const FIELDS: Record<
  Kind,
  {
    selector: 'serviceMonitorSelector' | 'ruleSelector';
    nsSelector: 'serviceMonitorNamespaceSelector' | 'ruleNamespaceSelector';
    valuesKey: string;
    kpsFlag: string;
  }
> = {
  ServiceMonitor: {
    selector: 'serviceMonitorSelector',
    nsSelector: 'serviceMonitorNamespaceSelector',
    valuesKey: 'serviceMonitor.labels',
    kpsFlag: 'prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues=false',
  },
  PrometheusRule: {
    selector: 'ruleSelector',
    nsSelector: 'ruleNamespaceSelector',
    valuesKey: 'prometheusRule.labels',
    kpsFlag: 'prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues=false',
  },
};

const ref = (m: Meta): string => `${m.namespace ?? ''}/${m.name}`;

/** Why prom does not select obj, or undefined when it does. */
export function whyNotSelected(
  prom: Prometheus,
  obj: { metadata: Meta },
  kind: Kind,
  namespaces: Record<string, Record<string, string>>,
): string | undefined {
  const f = FIELDS[kind];
  const selector = prom.spec[f.selector];
  const promNs = prom.metadata.namespace ?? '';
  const objNs = obj.metadata.namespace ?? '';
  if (selector === null || selector === undefined) {
    return `${ref(prom.metadata)} has no ${f.selector} (null selects no ${kind})`;
  }
  if (!selects(selector, obj.metadata.labels)) {
    return `${ref(prom.metadata)} selects ${kind}s with ${describeSelector(selector)}`;
  }
  const nsSelector = prom.spec[f.nsSelector];
  if (!namespaceSelected(nsSelector, promNs, objNs, namespaces[objNs])) {
    return nsSelector === null || nsSelector === undefined
      ? `${ref(prom.metadata)} looks for ${kind}s only in its own namespace "${promNs}" (${f.nsSelector} is null)`
      : `${ref(prom.metadata)} looks for ${kind}s only in namespaces with ${describeSelector(nsSelector)}`;
  }
  return undefined;
}

/** The Prometheus resources that select obj. */
export function selectingPrometheuses(s: Snapshot, obj: { metadata: Meta }, kind: Kind): Prometheus[] {
  return (s.prometheuses ?? []).filter((p) => whyNotSelected(p, obj, kind, s.namespaces) === undefined);
}

/** A --set that would make matchLabels select us, when the selector is plain matchLabels. */
function labelFix(selector: LabelSelector | null | undefined, valuesKey: string, release: string): string | undefined {
  const want = Object.entries(selector?.matchLabels ?? {});
  if (!selector || want.length === 0 || (selector.matchExpressions ?? []).length) return undefined;
  return `helm upgrade ${release} charts/blog-api --reuse-values ${want.map(([k, v]) => `--set ${valuesKey}.${k}=${v}`).join(' ')}`;
}

function selectionCheck(s: Snapshot, kind: Kind, objects: { metadata: Meta }[]): CheckResult {
  const id = kind === 'ServiceMonitor' ? 'servicemonitor-selected' : 'prometheusrule-selected';
  const title = `${kind} selected by Prometheus`;
  const f = FIELDS[kind];
  if (s.prometheuses === undefined) {
    return fail(
      id,
      title,
      'the monitoring.coreos.com API is missing (no prometheus-operator CRDs)',
      'install kube-prometheus-stack (scripts/kind-up.sh does), then helm upgrade the release: the chart renders monitoring objects only when the API exists',
    );
  }
  if (objects.length === 0) {
    const flag = kind === 'ServiceMonitor' ? 'serviceMonitor.enabled' : 'prometheusRule.enabled';
    return fail(
      id,
      title,
      `no ${kind} of release "${s.release}" in "${s.namespace}"`,
      `helm upgrade ${s.release} charts/blog-api --reuse-values --set ${flag}=true (CRDs installed after the release? upgrade once more)`,
    );
  }
  const [first] = s.prometheuses;
  if (first === undefined) {
    return fail(
      id,
      title,
      'no Prometheus resource exists in the cluster',
      'install kube-prometheus-stack, e.g. scripts/kind-up.sh or helm install kube-prometheus-stack prometheus-community/kube-prometheus-stack -n monitoring',
    );
  }
  const unselected: string[] = [];
  const selectedBy: string[] = [];
  for (const obj of objects) {
    const by = selectingPrometheuses(s, obj, kind);
    if (by.length) selectedBy.push(`${obj.metadata.name} by ${by.map((p) => ref(p.metadata)).join(', ')}`);
    else unselected.push(obj.metadata.name);
  }
  const obj = objects.find((o) => unselected.includes(o.metadata.name));
  if (obj === undefined) return pass(id, title, selectedBy.join('; '));

  const reasons = s.prometheuses.map((p) => whyNotSelected(p, obj, kind, s.namespaces) ?? '');
  const labels =
    Object.entries(obj.metadata.labels ?? {})
      .filter(([k]) => !k.startsWith('app.kubernetes.io/') && k !== 'helm.sh/chart')
      .map(([k, v]) => `${k}=${v}`)
      .join(', ') || 'no custom labels';
  const fixes = [
    labelFix(first.spec[f.selector], f.valuesKey, s.release),
    reasons.some((r) => r.includes('null')) ? `or install kube-prometheus-stack with --set ${f.kpsFlag}` : undefined,
    reasons.some((r) => r.includes('namespace'))
      ? `or widen ${f.nsSelector} (kube-prometheus-stack default {} = all namespaces), or label namespace ${obj.metadata.namespace}`
      : undefined,
  ].filter((x): x is string => x !== undefined);
  return fail(
    id,
    title,
    `${kind} ${ref(obj.metadata)} (${labels}) is not selected: ${reasons.join('; ')}`,
    fixes.join('; ') || `make ${f.valuesKey} match the Prometheus ${f.selector}`,
  );
}

export const serviceMonitorSelected = (s: Snapshot): CheckResult => selectionCheck(s, 'ServiceMonitor', s.serviceMonitors);

export const prometheusRuleSelected = (s: Snapshot): CheckResult => selectionCheck(s, 'PrometheusRule', s.prometheusRules);

/** The ServiceMonitor must in turn select our Service and name one of its ports. */
export function serviceMonitorMatchesService(s: Snapshot): CheckResult {
  const id = 'servicemonitor-matches-service';
  const title = 'ServiceMonitor finds the Service';
  const svc = s.service;
  if (s.serviceMonitors.length === 0 || !svc) {
    return skip(id, title, 'needs both a ServiceMonitor and the Service (see above)');
  }
  const svcNs = svc.metadata?.namespace ?? s.namespace;
  const ports = (svc.spec?.ports ?? []).map((p) => p.name ?? '');
  for (const sm of s.serviceMonitors) {
    const ns = sm.spec.namespaceSelector;
    const nsOk =
      ns?.any === true ||
      (ns?.matchNames?.length ? ns.matchNames.includes(svcNs) : (sm.metadata.namespace ?? s.namespace) === svcNs);
    if (!nsOk) {
      return fail(
        id,
        title,
        `${sm.metadata.name} looks in namespaces ${JSON.stringify(ns?.matchNames ?? [sm.metadata.namespace])}, the Service is in ${svcNs}`,
        'set the ServiceMonitor namespaceSelector.matchNames to the release namespace (the chart does by default)',
      );
    }
    if (!selects(sm.spec.selector, svc.metadata?.labels)) {
      return fail(
        id,
        title,
        `${sm.metadata.name} selects Services with ${describeSelector(sm.spec.selector)}; ${svc.metadata?.name} does not match`,
        'align the ServiceMonitor selector with the Service labels (app.kubernetes.io/component=api)',
      );
    }
    const missing = sm.spec.endpoints.map((e) => e.port).filter((p): p is string => !!p && !ports.includes(p));
    if (missing.length) {
      return fail(
        id,
        title,
        `${sm.metadata.name} scrapes port(s) ${missing.join(', ')}, the Service has ${ports.join(', ')}`,
        'the endpoint port must name a Service port ("metrics")',
      );
    }
  }
  return pass(
    id,
    title,
    `selects Service ${svc.metadata?.name} port(s) ${s.serviceMonitors.flatMap((m) => m.spec.endpoints.map((e) => e.port)).join(', ')}`,
  );
}
