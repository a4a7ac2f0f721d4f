// Kubernetes label-selector semantics, as prometheus-operator and the API server apply them.
import type { LabelSelector } from './types.js';

/** True when labels satisfy a (non-null) selector. An empty selector matches everything. */
export function selects(selector: LabelSelector, labels: Record<string, string> = {}): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    // Undefined exactly when the label is absent (label values are strings).
    const value = has ? labels[key] : undefined;
    switch (operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false; // an unknown operator is rejected by the API server; never matches
    }
  }
  return true;
}

/** "release=kube-prometheus-stack, team in (a,b)"; "{} (everything)" for the empty selector. */
export function describeSelector(selector: LabelSelector | null | undefined): string {
  if (selector === null || selector === undefined) return 'null (nothing)';
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    if (operator === 'Exists') parts.push(key);
    else if (operator === 'DoesNotExist') parts.push(`!${key}`);
    else parts.push(`${key} ${operator.toLowerCase()} (${values.join(',')})`);
  }
  return parts.length === 0 ? '{} (everything)' : parts.join(', ');
}

/**
 * prometheus-operator's rule for its *NamespaceSelector fields: null means only the
 * Prometheus's own namespace, {} means every namespace, anything else is matched against the
 * namespace's labels.
 */
export function namespaceSelected(
  selector: LabelSelector | null | undefined,
  ownNamespace: string,
  namespace: string,
  namespaceLabels: Record<string, string> = {},
): boolean {
  if (selector === null || selector === undefined) return namespace === ownNamespace;
  // The API server always sets this label, so selectors on it work even when we lack the labels.
  return selects(selector, { 'kubernetes.io/metadata.name': namespace, ...namespaceLabels });
}
