// The data the doctor works on. kube.ts fills a Snapshot from the cluster; every check is a pure
// function of it, so the diagnosis is tested with plain objects and no cluster.
import type {
  V1ConfigMap,
  V1Container,
  V1ContainerStatus,
  V1Deployment,
  V1EndpointSlice,
  V1Job,
  V1Pod,
  V1Service,
} from '@kubernetes/client-node';

/**
 * A client-node model as plain data: the same fields, recursively, without the class. client-node's
 * model classes carry fields only, the checks only read fields, and the tests build the objects as
 * literals; typing them as the classes would claim instances nobody needs.
 */
export type Plain<T> = T extends Date
  ? T
  : T extends readonly (infer U)[]
    ? Plain<U>[]
    : T extends object
      ? { [K in keyof T]: Plain<T[K]> }
      : T;

export type Deployment = Plain<V1Deployment>;
export type Pod = Plain<V1Pod>;
export type Container = Plain<V1Container>;
export type ContainerStatus = Plain<V1ContainerStatus>;
export type Service = Plain<V1Service>;
export type EndpointSlice = Plain<V1EndpointSlice>;
export type Job = Plain<V1Job>;
export type ConfigMap = Plain<V1ConfigMap>;

export type Status = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable id, e.g. "servicemonitor-selected", used by --json consumers. */
  id: string;
  title: string;
  status: Status;
  /** What was found, in one or two sentences. */
  detail: string;
  /** What to do about it; present on warn and fail. */
  fix?: string;
}

export interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  uid?: string;
}

/** A Kubernetes label selector (matchLabels + matchExpressions). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

// Just the prometheus-operator fields the doctor reads.
export interface Prometheus {
  metadata: Meta;
  spec: {
    serviceMonitorSelector?: LabelSelector | null;
    serviceMonitorNamespaceSelector?: LabelSelector | null;
    ruleSelector?: LabelSelector | null;
    ruleNamespaceSelector?: LabelSelector | null;
  };
}

export interface ServiceMonitor {
  metadata: Meta;
  spec: {
    selector: LabelSelector;
    namespaceSelector?: { any?: boolean; matchNames?: string[] };
    endpoints: { port?: string; targetPort?: string | number; path?: string }[];
  };
}

export interface PrometheusRule {
  metadata: Meta;
  spec: { groups: { name: string; rules: { alert?: string; record?: string }[] }[] };
}

/** The dashboard sidecar of a Grafana (kube-prometheus-stack's grafana-sc-dashboard container). */
export interface GrafanaSidecar {
  /** namespace/name of the Grafana Deployment. */
  grafana: string;
  namespace: string;
  label: string;
  /** Unset: any value of the label matches. */
  labelValue?: string;
  /** "ALL", a list of namespaces, or unset (= Grafana's own namespace only). */
  searchNamespaces?: 'ALL' | string[];
  /** configmap, secret or both. */
  resource: string;
}

// Prometheus HTTP API answers (only the fields read here).
export interface PromTarget {
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}
export interface PromRuleGroup {
  name: string;
  file: string;
  rules: { name: string; type: 'alerting' | 'recording'; health: string; lastError?: string }[];
}
export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'firing' | 'pending' | 'inactive';
  activeAt?: string;
}

/** What the Prometheus API said, through the API server's service proxy. */
export interface PrometheusApiView {
  /** namespace/name of the Prometheus resource queried. */
  prometheus: string;
  targets?: PromTarget[];
  ruleGroups?: PromRuleGroup[];
  alerts?: PromAlert[];
  /** Set when the proxy call failed; the API checks then report why. */
  error?: string;
}

export interface Snapshot {
  release: string;
  namespace: string;
  /** Labels of the namespaces our objects live in, by name (for namespace selectors). */
  namespaces: Record<string, Record<string, string>>;
  deployment?: Deployment;
  pods: Pod[];
  service?: Service;
  endpointSlices: EndpointSlice[];
  /** Hook Jobs of an older chart (the chart now migrates in the API pods' init container). */
  migrationJobs: Job[];
  migrationPods: Pod[];
  /** Tail of the migrate init container's log, by pod name, for pods where it failed. */
  migrationLogs?: Record<string, string>;
  serviceMonitors: ServiceMonitor[];
  prometheusRules: PrometheusRule[];
  /** Unset when the prometheus-operator CRDs are not installed. */
  prometheuses?: Prometheus[];
  dashboards: ConfigMap[];
  grafanaSidecars: GrafanaSidecar[];
  prometheusApi?: PrometheusApiView;
}
