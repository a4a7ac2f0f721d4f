// Diagnosis of Prometheus API answers (/api/v1/targets, /rules, /alerts) as the service proxy
// returns them. The answers are recorded shapes; no cluster or Prometheus is queried here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertsFiring, rulesLoaded, targetsUp } from '../../scripts/doctor/checks/prometheus-api.js';
import { must } from '../helpers/must.js';
import { healthySnapshot, snapshotWithApi } from './fixtures.js';

describe('targetsUp', () => {
  it('when other jobs are scraped too, then only our ServiceMonitor scrape pool is counted', () => {
    const r = targetsUp(healthySnapshot());
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /2\/2 targets up/);
  });
  it('when a target is down, then it fails with its scrape error', () => {
    const { s, api } = snapshotWithApi();
    const t = must(api.targets[1], 'the second blog-api target');
    t.health = 'down';
    t.lastError = 'Get "http://10.244.0.11:9464/metrics": context deadline exceeded';
    const r = targetsUp(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /1\/2 targets up; http:\/\/10\.244\.0\.11:9464\/metrics: down \(Get .*deadline exceeded\)/);
  });
  it('when Prometheus has no target for us yet, then it fails', () => {
    const { s, api } = snapshotWithApi();
    api.targets = api.targets.filter((t) => !t.scrapePool.includes('blog-api'));
    assert.match(targetsUp(s).detail, /no active target from serviceMonitor\/blog\/blog-api\//);
  });
  it('when no Prometheus selects us, then it skips; when the proxy call failed, then it fails', () => {
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
  it('when every group of our PrometheusRule is in its operator rule file, then it passes', () => {
    const r = rulesLoaded(healthySnapshot());
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /3 group\(s\) loaded/);
  });
  it('when a group is missing, then it fails naming it', () => {
    const { s, api } = snapshotWithApi();
    api.ruleGroups = api.ruleGroups.filter((g) => g.name !== 'blog-api-causes');
    const r = rulesLoaded(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /missing: blog-api-causes/);
  });
  it('when a same-named group comes from another file, then it is not counted', () => {
    const { s, api } = snapshotWithApi();
    for (const g of api.ruleGroups) g.file = g.file.replace('/blog-blog-api-', '/other-blog-api-');
    assert.equal(rulesLoaded(s).status, 'fail');
  });
  it('when a rule errors on evaluation, then it fails with the error', () => {
    const { s, api } = snapshotWithApi();
    const rule = must(must(api.ruleGroups[1], 'the alerts group').rules[0], 'its first rule');
    rule.health = 'err';
    rule.lastError = 'found duplicate series for the match group';
    assert.match(rulesLoaded(s).detail, /BlogApiAvailabilityBudgetBurn: found duplicate series/);
  });
});

describe('alertsFiring', () => {
  it('when only alerts that are not ours fire (Watchdog), then it passes', () => {
    const r = alertsFiring(healthySnapshot());
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /none of 4 alerts firing/);
  });
  it('when a page fires, then it fails and links its runbook', () => {
    const { s, api } = snapshotWithApi();
    api.alerts.push({
      labels: { alertname: 'BlogApiAvailabilityBudgetBurn', severity: 'critical', slo: 'availability', namespace: 'blog' },
      annotations: { runbook_url: 'https://example.invalid/runbook#availability' },
      state: 'firing',
    });
    const r = alertsFiring(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /BlogApiAvailabilityBudgetBurn\{severity=critical,slo=availability\}/);
    assert.match(r.fix ?? '', /runbook#availability/);
  });
  it('when a ticket fires, then it warns, mentions pending ones, and ignores other namespaces', () => {
    const { s, api } = snapshotWithApi();
    api.alerts.push(
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
