// The API Service: named ports and ready endpoints behind it.
import { fail, pass } from '../result.js';
import { selects } from '../selectors.js';
import type { CheckResult, Snapshot } from '../types.js';

/** Port names the chart's contract fixes: http (the API) and metrics (scraped by Prometheus). */
const REQUIRED_PORTS = ['http', 'metrics'];

export function serviceEndpoints(s: Snapshot): CheckResult {
  const id = 'service-endpoints';
  const title = 'Service endpoints';
  const svc = s.service;
  if (!svc) {
    return fail(
      id,
      title,
      `no Service of release "${s.release}"`,
      `helm -n ${s.namespace} get manifest ${s.release} | grep -A3 'kind: Service'`,
    );
  }
  const name = svc.metadata?.name ?? '?';
  const portNames = (svc.spec?.ports ?? []).map((p) => p.name ?? '');
  const missing = REQUIRED_PORTS.filter((p) => !portNames.includes(p));
  if (missing.length) {
    return fail(
      id,
      title,
      `Service ${name} lacks port(s) named ${missing.join(', ')}`,
      'the ServiceMonitor scrapes the port named "metrics": restore the chart\'s service.yaml',
    );
  }
  const endpoints = s.endpointSlices.flatMap((slice) => slice.endpoints ?? []);
  // An endpoint without conditions.ready counts as ready (the EndpointSlice API's rule).
  const ready = endpoints.filter((e) => e.conditions?.ready !== false);
  if (ready.length > 0) {
    return pass(id, title, `${name}: ${ready.length} ready endpoint(s) on ports ${portNames.join(', ')}`);
  }
  const selector = svc.spec?.selector ?? {};
  const matching = s.pods.filter((p) => selects({ matchLabels: selector }, p.metadata?.labels));
  if (s.pods.length > 0 && matching.length === 0) {
    return fail(
      id,
      title,
      `${name} selects ${JSON.stringify(selector)} but no API pod carries those labels`,
      'the Service selector and the pod labels disagree: align service.yaml and deployment.yaml selector labels',
    );
  }
  return fail(
    id,
    title,
    `${name} has no ready endpoints (${endpoints.length} not ready, ${matching.length} pods selected)`,
    'no pod passes its readiness probe: see the pod and migration checks',
  );
}
