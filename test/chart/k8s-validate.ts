/**
 * Offline schema validation of rendered objects: each object is validated by its apiVersion/kind
 * with the generated models of kubernetes-models (Kubernetes OpenAPI) and
 * @kubernetes-models/prometheus-operator (the operator's CRD schemas). An unknown kind is an error,
 * not a pass. (These schemas check types, enums and required fields; like the API server's
 * non-strict decoding, they do not reject unknown fields.)
 */
import * as k8s from 'kubernetes-models';
import * as promOperator from '@kubernetes-models/prometheus-operator';
import type { K8sObject } from '../../scripts/chart-render.js';

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
}

function isModelClass(v: unknown): v is ModelClass {
  return (
    typeof v === 'function' &&
    typeof (v as Partial<ModelClass>).apiVersion === 'string' &&
    typeof (v as Partial<ModelClass>).kind === 'string'
  );
}

/** apiVersion/kind → model, collected from the packages' nested group/version namespaces. */
const MODELS = new Map<string, ModelClass>();
function collect(ns: object, depth: number): void {
  for (const v of Object.values(ns)) {
    if (isModelClass(v)) MODELS.set(`${v.apiVersion}/${v.kind}`, v);
    else if (v && typeof v === 'object' && depth < 4) collect(v as object, depth + 1);
  }
}
collect(k8s, 0);
collect(promOperator, 0);

/** The API versions the chart may use: current, non-deprecated ones for Kubernetes >= 1.25. */
export const ALLOWED_API_VERSIONS = new Set([
  'v1',
  'apps/v1',
  'batch/v1',
  'autoscaling/v2',
  'policy/v1',
  'networking.k8s.io/v1',
  'monitoring.coreos.com/v1',
  'monitoring.coreos.com/v1alpha1',
]);

/** Returns the problems of one object (empty when it validates). */
export function validateObject(obj: K8sObject): string[] {
  const id = `${obj.kind}/${obj.metadata.name}`;
  if (!ALLOWED_API_VERSIONS.has(obj.apiVersion)) return [`${id}: apiVersion ${obj.apiVersion} is not one the chart may use`];
  const Model = MODELS.get(`${obj.apiVersion}/${obj.kind}`);
  if (!Model) return [`${id}: no schema for ${obj.apiVersion} ${obj.kind}`];
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    return [`${id}: ${(err as Error).message}`];
  }
}

export function knownModelCount(): number {
  return MODELS.size;
}
