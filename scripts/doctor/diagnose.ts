// Every check, in the order an operator would reason: workload, traffic, monitoring, alerts.
import { grafanaDashboards } from './checks/grafana.js';
import { migrations } from './checks/migration.js';
import { alertsFiring, rulesLoaded, targetsUp } from './checks/prometheus-api.js';
import { prometheusRuleSelected, serviceMonitorMatchesService, serviceMonitorSelected } from './checks/prometheus-selection.js';
import { serviceEndpoints } from './checks/service.js';
import { deploymentAvailable, podsReady, restarts } from './checks/workload.js';
import type { CheckResult, Snapshot } from './types.js';

export const CHECKS: readonly ((s: Snapshot) => CheckResult)[] = [
  deploymentAvailable,
  podsReady,
  restarts,
  serviceEndpoints,
  migrations,
  serviceMonitorSelected,
  serviceMonitorMatchesService,
  prometheusRuleSelected,
  grafanaDashboards,
  targetsUp,
  rulesLoaded,
  alertsFiring,
];

export function diagnose(s: Snapshot): CheckResult[] {
  return CHECKS.map((check) => check(s));
}

/** Exit code: 1 when any check failed. Warnings and skips do not fail the run. */
export function exitCode(results: readonly CheckResult[]): 0 | 1 {
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}
