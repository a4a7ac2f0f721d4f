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
import { checkExpressions, findPromtool3 } from '../rules/promtool.js';
import { metricNames, substituteGrafanaVariables } from './promql-names.js';
import { KUBE_METRICS, PROMETHEUS_METRICS, designMetrics, promClientDefaultMetrics } from './metric-catalog.js';

interface Dashboard {
  uid: string;
  title: string;
  links: { url: string }[];
  templating: { list: { name: string; type: string; query?: unknown; current?: { value?: string } }[] };
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
    allowed = new Set([
      ...designMetrics(),
      ...(await promClientDefaultMetrics()),
      ...KUBE_METRICS,
      ...PROMETHEUS_METRICS,
      ...recorded,
    ]);
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

  it('ships SLO, traffic, cache, database and runtime dashboards as sidecar ConfigMaps, uids of this release', () => {
    // release blog-api in namespace blog: uid <namespace>-<fullname>-<name>
    assert.deepEqual(dashboards.map((d) => d.uid).sort(), [
      'blog-blog-api-cache',
      'blog-blog-api-database',
      'blog-blog-api-runtime',
      'blog-blog-api-slo',
      'blog-blog-api-traffic',
    ]);
    // the sidecar writes every data key into one folder: the file name is the uid
    assert.deepEqual(configMaps.flatMap((cm) => Object.keys(cm.data)).sort(), dashboards.map((d) => `${d.uid}.json`).sort());
  });

  it('two releases in one Grafana collide nowhere: uids, file names, titles; links and variables point at each release', () => {
    const other = renderChart({ release: 'shop', namespace: 'prod', valuesFiles: ['ci/default-values.yaml'] });
    const theirs = other
      .filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1')
      .flatMap((cm) => Object.entries((cm as K8sObject & { data: Record<string, string> }).data));
    const mine = configMaps.flatMap((cm) => Object.entries(cm.data));
    const keys = [...theirs, ...mine].map(([k]) => k);
    assert.equal(new Set(keys).size, keys.length, keys.join(' '));
    const parsed = theirs.map(([, json]) => JSON.parse(json) as Dashboard);
    const uids = new Set([...parsed.map((d) => d.uid), ...dashboards.map((d) => d.uid)]);
    assert.equal(uids.size, 10);
    for (const d of parsed) {
      assert.match(d.uid, /^prod-shop-blog-api-/);
      assert.match(d.title, /\(prod\/shop-blog-api\)$/);
      for (const l of d.links) assert.match(l.url, /^\/d\/prod-shop-blog-api-[a-z]+\/prod-shop-blog-api-[a-z]+\?/);
      const current = (name: string) => d.templating.list.find((v) => v.name === name)?.current?.value;
      assert.equal(current('namespace'), 'prod');
      assert.equal(current('job'), 'shop-blog-api');
    }
  });

  it("a uid past Grafana's 40 characters is shortened with a hash, still one per release", () => {
    const uidsOf = (release: string) =>
      renderChart({ release, namespace: 'a-rather-long-namespace-name', valuesFiles: ['ci/default-values.yaml'] })
        .filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1')
        .flatMap((cm) => Object.values((cm as K8sObject & { data: Record<string, string> }).data))
        .map((json) => (JSON.parse(json) as Dashboard).uid);
    const a = uidsOf('storefront-production');
    const b = uidsOf('storefront-production-eu');
    for (const uid of [...a, ...b]) assert.ok(uid.length <= 40, uid);
    assert.equal(new Set([...a, ...b]).size, 10);
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
    const slo = dashboards.find((d) => d.uid === 'blog-blog-api-slo');
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

  const found3 = findPromtool3();
  const skip3 = 'bin' in found3 || process.env.BLOG_API_REQUIRE_PROMTOOL3 === '1' ? undefined : found3.missing;
  it('every dashboard query parses as PromQL (promtool 3)', { skip: skip3 }, () => {
    assert.ok('bin' in found3, 'missing' in found3 ? found3.missing : '');
    const res = checkExpressions(
      exprs.map((e) => substituteGrafanaVariables(e.expr)),
      found3.bin,
    );
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
