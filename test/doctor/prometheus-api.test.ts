// Diagnosis of Prometheus API answers (/api/v1/targets, /rules, /alerts) as the service proxy
// returns them. The answers are recorded shapes; no cluster or Prometheus is queried here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertsFiring, rulesLoaded, targetsUp } from '../../scripts/doctor/checks/prometheus-api.js';
import { healthySnapshot } from './fixtures.js';

describe('targetsUp', () => {
  it('counts only our ServiceMonitor scrape pool', () => {
    const r = targetsUp(healthySnapshot());
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /2\/2 targets up/);
  });
  it('fails a down target with its scrape error', () => {
    const s = healthySnapshot();
    const t = s.prometheusApi!.targets![1]!;
    t.health = 'down';
    t.lastError = 'Get "http://10.244.0.11:9464/metrics": context deadline exceeded';
    const r = targetsUp(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /1\/2 targets up; http:\/\/10\.244\.0\.11:9464\/metrics: down \(Get .*deadline exceeded\)/);
  });
  it('fails when Prometheus has no target for us yet', () => {
    const s = healthySnapshot();
    s.prometheusApi!.targets = s.prometheusApi!.targets!.filter((t) => !t.scrapePool.includes('blog-api'));
    assert.match(targetsUp(s).detail, /no active target from serviceMonitor\/blog\/blog-api\//);
  });
  it('skips without a selecting Prometheus and fails when the proxy call failed', () => {
    const s = healthySnapshot();
    s.prometheusApi = undefined;
    assert.equal(targetsUp(s).status, 'skip');
    s.prometheusApi = {
      prometheus: 'monitoring/kube-prometheus-stack-prometheus',
      error: 'HTTP 403: services "prometheus-operated:web" is forbidden',
    };
    const r = targetsUp(s);
    assert.equal(r.status, 'fail');
    assert.match(r.fix ?? '', /services\/proxy/);
  });
});

describe('rulesLoaded', () => {
  it('finds each group of our PrometheusRule in its operator rule file', () => {
    const r = rulesLoaded(healthySnapshot());
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /3 group\(s\) loaded/);
  });
  it('fails when a group is missing', () => {
    const s = healthySnapshot();
    s.prometheusApi!.ruleGroups = s.prometheusApi!.ruleGroups!.filter((g) => g.name !== 'blog-api-causes');
    const r = rulesLoaded(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /missing: blog-api-causes/);
  });
  it('does not count a same-named group from another file', () => {
    const s = healthySnapshot();
    for (const g of s.prometheusApi!.ruleGroups!) g.file = g.file.replace('/blog-blog-api-', '/other-blog-api-');
    assert.equal(rulesLoaded(s).status, 'fail');
  });
  it('fails a rule that errors on evaluation', () => {
    const s = healthySnapshot();
    const rule = s.prometheusApi!.ruleGroups![1]!.rules[0]!;
    rule.health = 'err';
    rule.lastError = 'found duplicate series for the match group';
    assert.match(rulesLoaded(s).detail, /BlogApiAvailabilityBudgetBurn: found duplicate series/);
  });
});

describe('alertsFiring', () => {
  it('ignores alerts that are not ours (Watchdog)', () => {
    const r = alertsFiring(healthySnapshot());
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /none of 4 alerts firing/);
  });
  it('fails on a firing page and links its runbook', () => {
    const s = healthySnapshot();
    s.prometheusApi!.alerts!.push({
      labels: { alertname: 'BlogApiAvailabilityBudgetBurn', severity: 'critical', slo: 'availability', namespace: 'blog' },
      annotations: { runbook_url: 'https://example.invalid/runbook#availability' },
      state: 'firing',
    });
    const r = alertsFiring(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /BlogApiAvailabilityBudgetBurn\{severity=critical,slo=availability\}/);
    assert.match(r.fix ?? '', /runbook#availability/);
  });
  it('warns on a firing ticket, mentions pending ones, and ignores other namespaces', () => {
    const s = healthySnapshot();
    s.prometheusApi!.alerts!.push(
      {
        labels: { alertname: 'BlogApiCacheHitRatioLow', severity: 'warning', namespace: 'blog' },
        annotations: {},
        state: 'firing',
      },
      {
        labels: { alertname: 'BlogApiDbPoolSaturated', severity: 'warning', namespace: 'blog' },
        annotations: {},
        state: 'pending',
      },
      {
        labels: { alertname: 'BlogApiLatencyBudgetBurn', severity: 'critical', namespace: 'staging' },
        annotations: {},
        state: 'firing',
      },
    );
    const r = alertsFiring(s);
    assert.equal(r.status, 'warn');
    assert.match(r.detail, /firing: BlogApiCacheHitRatioLow.*pending: BlogApiDbPoolSaturated/);
  });
});
