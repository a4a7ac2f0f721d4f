/**
 * Grafana dashboards: up to date with their generator, shipped as sidecar ConfigMaps on a
 * ${datasource} variable, every query parses as PromQL (promtool) and names only known metrics.
 * The PrometheusRule's expressions are held to the same metric catalogue.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { renderChart, ruleGroups, type K8sObject } from '../../scripts/chart-render.js';
import { DASHBOARD_DIR, renderDashboardFiles } from '../../scripts/chart-dashboards.js';
import { checkExpressions } from '../rules/promtool.js';
import { metricNames, substituteGrafanaVariables } from './promql-names.js';
import { KUBE_METRICS, designMetrics, promClientDefaultMetrics } from './metric-catalog.js';

interface Dashboard {
  uid: string;
  templating: { list: { name: string; type: string; query?: unknown }[] };
  panels: { title: string; datasource: { uid: string }; targets: { expr: string; datasource: { uid: string } }[] }[];
}

const objects = renderChart({ valuesFiles: ['ci/default-values.yaml'] });
const configMaps = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1') as (K8sObject & {
  data: Record<string, string>;
})[];
const dashboards: Dashboard[] = configMaps.flatMap((cm) => Object.values(cm.data).map((json) => JSON.parse(json) as Dashboard));
const exprs = dashboards.flatMap((d) =>
  d.panels.flatMap((p) => p.targets.map((t) => ({ where: `${d.uid} / ${p.title}`, expr: t.expr }))),
);
const recorded = ruleGroups(objects).flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : [])));

describe('dashboards', () => {
  let allowed: Set<string>;
  before(async () => {
    allowed = new Set([...designMetrics(), ...(await promClientDefaultMetrics()), ...KUBE_METRICS, ...recorded]);
  });

  it('the committed JSON is what scripts/chart-dashboards.ts generates', () => {
    const generated = renderDashboardFiles();
    assert.deepEqual(readdirSync(DASHBOARD_DIR).sort(), Object.keys(generated).sort());
    for (const [file, content] of Object.entries(generated)) {
      assert.equal(
        readFileSync(path.join(DASHBOARD_DIR, file), 'utf8'),
        content,
        `${file} is stale: run npx tsx scripts/chart-dashboards.ts`,
      );
    }
  });

  it('ships SLO, traffic, cache, database and runtime dashboards as sidecar ConfigMaps', () => {
    assert.deepEqual(dashboards.map((d) => d.uid).sort(), [
      'blog-api-cache',
      'blog-api-database',
      'blog-api-runtime',
      'blog-api-slo',
      'blog-api-traffic',
    ]);
  });

  it('queries every panel through the ${datasource} variable', () => {
    for (const d of dashboards) {
      assert.ok(
        d.templating.list.some((v) => v.name === 'datasource' && v.type === 'datasource'),
        d.uid,
      );
      for (const p of d.panels) {
        assert.equal(p.datasource.uid, '${datasource}', `${d.uid} / ${p.title}`);
        for (const t of p.targets) assert.equal(t.datasource.uid, '${datasource}', `${d.uid} / ${p.title}`);
      }
    }
  });

  it('the SLO dashboard shows success vs objective, budget remaining, burn rates and latency quantiles', () => {
    const slo = dashboards.find((d) => d.uid === 'blog-api-slo');
    const all = JSON.stringify(slo?.panels.map((p) => p.targets.map((t) => t.expr)));
    for (const needle of [
      'slo:objective:ratio',
      'slo:period_error_budget_remaining:ratio',
      'slo:error_budget:ratio',
      'histogram_quantile(0.5,',
      'histogram_quantile(0.99,',
    ]) {
      assert.ok(all.includes(needle), needle);
    }
  });

  it('every dashboard query parses as PromQL (promtool 2.42)', () => {
    assert.ok(exprs.length >= 30, `only ${exprs.length} queries`);
    const res = checkExpressions(exprs.map((e) => substituteGrafanaVariables(e.expr)));
    assert.equal(res.status, 0, res.output);
    assert.match(res.output, new RegExp(`SUCCESS: ${exprs.length} rules found`));
  });

  it('the parse check fails on a broken query (it is not a rubber stamp)', () => {
    const res = checkExpressions(['sum(rate(http_requests_total[5m])']);
    assert.notEqual(res.status, 0);
  });

  it('every dashboard query names only known metrics', () => {
    const unknown = exprs.flatMap((e) =>
      metricNames(e.expr)
        .filter((n) => !allowed.has(n))
        .map((n) => `${e.where}: ${n}`),
    );
    assert.deepEqual(unknown, []);
  });

  it('every rule expression names only known metrics', () => {
    const unknown = ruleGroups(objects).flatMap((g) =>
      g.rules.flatMap((r) =>
        metricNames(r.expr)
          .filter((n) => !allowed.has(n))
          .map((n) => `${g.name}: ${n}`),
      ),
    );
    assert.deepEqual(unknown, []);
  });
});

describe('metricNames', () => {
  it('finds selectors and skips functions, labels, strings, numbers and durations', () => {
    assert.deepEqual(
      metricNames(
        'histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket{job="x",le="0.4"}[5m]))) > 1e3',
      ),
      ['http_request_duration_seconds_bucket'],
    );
    assert.deepEqual(
      metricNames('slo:sli_error:ratio_rate1h{slo="a"} / on (slo) group_left slo:error_budget:ratio and bool up'),
      ['slo:sli_error:ratio_rate1h', 'slo:error_budget:ratio', 'up'],
    );
    assert.deepEqual(metricNames('label_replace(foo_total, "dst", "$1", "src", "(.*)")'), ['foo_total']);
  });
});
