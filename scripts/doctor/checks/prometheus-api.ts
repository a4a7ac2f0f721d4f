// What Prometheus itself reports, asked through the API server's service proxy: our scrape
// targets, our rule groups, and which of our alerts fire.
import { fail, pass, skip, warn } from '../result.js';
import type { CheckResult, PrometheusApiView, Snapshot } from '../types.js';

/** The API answer when it is usable, or the skip/fail result that explains why not. */
function api(s: Snapshot, id: string, title: string, need: keyof PrometheusApiView): PrometheusApiView | CheckResult {
  const view = s.prometheusApi;
  if (!view) return skip(id, title, 'no Prometheus selects our ServiceMonitor or PrometheusRule (see above)');
  if (view.error || view[need] === undefined) {
    return fail(
      id,
      title,
      `could not query ${view.prometheus}: ${view.error ?? `no ${need} in the answer`}`,
      'the doctor needs get on services/proxy in the Prometheus namespace, and the prometheus-operated Service must be up',
    );
  }
  return view;
}
const isResult = (x: PrometheusApiView | CheckResult): x is CheckResult => 'status' in x;

export function targetsUp(s: Snapshot): CheckResult {
  const id = 'prometheus-targets';
  const title = 'Prometheus scrapes the pods';
  const view = api(s, id, title, 'targets');
  if (isResult(view)) return view;
  // prometheus-operator names scrape pools serviceMonitor/<namespace>/<name>/<endpoint index>.
  const pools = s.serviceMonitors.map((m) => `serviceMonitor/${m.metadata.namespace ?? s.namespace}/${m.metadata.name}/`);
  const ours = (view.targets ?? []).filter((t) => pools.some((p) => t.scrapePool.startsWith(p)));
  if (ours.length === 0) {
    return fail(
      id,
      title,
      `${view.prometheus} has no active target from ${pools.join(', ') || 'our ServiceMonitor'}`,
      'a new ServiceMonitor is loaded within a minute or two; if it persists, the ServiceMonitor selects no endpoints (see "ServiceMonitor finds the Service")',
    );
  }
  const down = ours.filter((t) => t.health !== 'up');
  if (down.length) {
    return fail(
      id,
      title,
      `${ours.length - down.length}/${ours.length} targets up; ${down.map((t) => `${t.scrapeUrl}: ${t.health}${t.lastError ? ` (${t.lastError})` : ''}`).join('; ')}`,
      "the metrics port (9464) must answer from Prometheus' namespace: check networkPolicy and METRICS_PORT",
    );
  }
  return pass(id, title, `${ours.length}/${ours.length} targets up in ${view.prometheus}`);
}

/** prometheus-operator writes a PrometheusRule to a file named <namespace>-<name>-<uid>.yaml. */
const ruleFileOf = (ns: string, name: string) => (file: string) => file.includes(`/${ns}-${name}-`);

export function rulesLoaded(s: Snapshot): CheckResult {
  const id = 'prometheus-rules';
  const title = 'Prometheus loaded our rules';
  const view = api(s, id, title, 'ruleGroups');
  if (isResult(view)) return view;
  const groups = view.ruleGroups ?? [];
  const missing: string[] = [];
  let loaded = 0;
  for (const rule of s.prometheusRules) {
    const inFile = ruleFileOf(rule.metadata.namespace ?? s.namespace, rule.metadata.name);
    for (const g of rule.spec.groups) {
      if (groups.some((lg) => lg.name === g.name && inFile(lg.file))) loaded++;
      else missing.push(g.name);
    }
  }
  const broken = groups
    .filter((g) => s.prometheusRules.some((r) => ruleFileOf(r.metadata.namespace ?? s.namespace, r.metadata.name)(g.file)))
    .flatMap((g) => g.rules.filter((r) => r.health === 'err').map((r) => `${r.name}: ${r.lastError ?? 'error'}`));
  if (missing.length) {
    return fail(
      id,
      title,
      `${loaded} group(s) loaded, missing: ${missing.join(', ')}`,
      'the operator reloads rules within a minute; if they stay missing, check the operator logs for a rejected PrometheusRule (kubectl -n <monitoring> logs deploy/<operator>)',
    );
  }
  if (broken.length) {
    return fail(
      id,
      title,
      `rules fail to evaluate: ${broken.join('; ')}`,
      'the series the rule reads are absent or the expression is invalid for this Prometheus version',
    );
  }
  return pass(id, title, `${loaded} group(s) loaded, all rules healthy`);
}

export function alertsFiring(s: Snapshot): CheckResult {
  const id = 'alerts';
  const title = 'Our alerts';
  const view = api(s, id, title, 'alerts');
  if (isResult(view)) return view;
  const names = new Set(
    s.prometheusRules.flatMap((r) => r.spec.groups.flatMap((g) => g.rules.map((x) => x.alert))).filter((n): n is string => !!n),
  );
  const ours = (view.alerts ?? []).filter(
    (a) => names.has(a.labels.alertname ?? '') && (a.labels.namespace === undefined || a.labels.namespace === s.namespace),
  );
  const firing = ours.filter((a) => a.state === 'firing');
  const pending = ours.filter((a) => a.state === 'pending');
  const describe = (a: (typeof ours)[number]) =>
    `${a.labels.alertname}{severity=${a.labels.severity ?? '?'}${a.labels.slo ? `,slo=${a.labels.slo}` : ''}}`;
  const pendingNote = pending.length ? `; pending: ${pending.map(describe).join(', ')}` : '';
  if (firing.length === 0) return pass(id, title, `none of ${names.size} alerts firing${pendingNote}`);
  const runbooks = [...new Set(firing.map((a) => a.annotations.runbook_url).filter((u) => u))];
  const fix = `follow the runbook${runbooks.length ? `: ${runbooks.join(' ')}` : ' (runbook_url annotation)'}`;
  const detail = `firing: ${firing.map(describe).join(', ')}${pendingNote}`;
  return firing.some((a) => a.labels.severity === 'critical') ? fail(id, title, detail, fix) : warn(id, title, detail, fix);
}
