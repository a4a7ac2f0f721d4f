/**
 * Renders charts/blog-api with `helm template` and hands back the objects, or the PrometheusRule's
 * groups as a plain Prometheus rules file. Shared by the chart tests, the promtool rule tests, the
 * monitoring e2e test and scripts/chart-rules.ts. Needs `helm` on PATH (scripts/ensure-tools.sh).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CHART_DIR = path.join(REPO_ROOT, 'charts', 'blog-api');

/** The CRD APIs kube-prometheus-stack installs; `helm template` only sees them when told. */
export const MONITORING_API_VERSIONS = [
  'monitoring.coreos.com/v1/ServiceMonitor',
  'monitoring.coreos.com/v1/PrometheusRule',
  'monitoring.coreos.com/v1alpha1/AlertmanagerConfig',
];

/** A rendered Kubernetes object, loosely typed: tests narrow what they read. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  /** values files, relative to the chart dir or absolute */
  valuesFiles?: string[];
  /** extra values, passed as a YAML document on stdin (-f -), after the files */
  values?: Record<string, unknown>;
  /** advertise the monitoring CRDs (default true) */
  monitoringApis?: boolean;
  /** Kubernetes version for .Capabilities (default 1.30.0) */
  kubeVersion?: string;
}

export class HelmError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** Runs helm; throws (never skips) when helm is missing, so a test without tools fails. */
export function helm(args: string[], input?: string): string {
  const res = spawnSync('helm', args, { cwd: REPO_ROOT, input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.error) {
    throw new Error(`cannot run helm (${res.error.message}); source scripts/ensure-tools.sh first`);
  }
  if (res.status !== 0) {
    throw new HelmError(`helm ${args.join(' ')} failed (exit ${res.status}):\n${res.stderr}`, res.stderr);
  }
  return res.stdout;
}

export function templateArgs(opts: RenderOptions = {}): string[] {
  const args = ['template', opts.release ?? 'blog-api', CHART_DIR, '--namespace', opts.namespace ?? 'blog'];
  args.push('--kube-version', opts.kubeVersion ?? '1.30.0');
  for (const f of opts.valuesFiles ?? []) args.push('-f', path.isAbsolute(f) ? f : path.join(CHART_DIR, f));
  if (opts.values) args.push('-f', '-');
  if (opts.monitoringApis ?? true) for (const api of MONITORING_API_VERSIONS) args.push('--api-versions', api);
  return args;
}

/** `helm template` → parsed objects (empty documents dropped). */
export function renderChart(opts: RenderOptions = {}): K8sObject[] {
  const out = helm(templateArgs(opts), opts.values ? stringify(opts.values) : undefined);
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(out)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
    const obj = doc.toJS() as K8sObject | null;
    if (obj) objects.push(obj);
  }
  return objects;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: {
    record?: string;
    alert?: string;
    expr: string;
    for?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  }[];
}

/** The groups of the (single) rendered PrometheusRule. */
export function ruleGroups(objects: K8sObject[]): RuleGroup[] {
  const rules = objects.filter((o) => o.kind === 'PrometheusRule');
  const [rule] = rules;
  if (rule === undefined || rules.length !== 1) throw new Error(`expected one PrometheusRule, rendered ${rules.length}`);
  const spec = rule.spec as { groups: RuleGroup[] };
  return spec.groups;
}

/** A rules file as Prometheus and promtool read it (what the operator would generate). */
export function rulesFileYaml(groups: RuleGroup[]): string {
  return stringify({ groups }, { lineWidth: 0 });
}
