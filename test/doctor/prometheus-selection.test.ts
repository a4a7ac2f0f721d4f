// Whether kube-prometheus-stack's Prometheus picks up our ServiceMonitor and PrometheusRule:
// its default selectors, mislabelled objects, null and namespace selectors. No cluster is used.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  prometheusRuleSelected,
  serviceMonitorMatchesService,
  serviceMonitorSelected,
} from '../../scripts/doctor/checks/prometheus-selection.js';
import { healthySnapshot, kpsPrometheus, prometheusRule, serviceMonitor } from './fixtures.js';

describe('serviceMonitorSelected', () => {
  it("passes with the chart's default labels and kube-prometheus-stack's default selector", () => {
    const r = serviceMonitorSelected(healthySnapshot());
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /monitoring\/kube-prometheus-stack-prometheus/);
  });
  it('fails a mislabelled ServiceMonitor and gives the --set that fixes it', () => {
    const s = healthySnapshot();
    s.serviceMonitors = [serviceMonitor({ release: 'prometheus' })];
    const r = serviceMonitorSelected(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /release=prometheus/);
    assert.match(r.detail, /selects ServiceMonitors with release=kube-prometheus-stack/);
    assert.match(r.fix ?? '', /--set serviceMonitor\.labels\.release=kube-prometheus-stack/);
  });
  it('fails when kube-prometheus-stack was installed under another release name', () => {
    const s = healthySnapshot();
    const prom = kpsPrometheus();
    prom.spec.serviceMonitorSelector = { matchLabels: { release: 'monitoring' } };
    s.prometheuses = [prom];
    assert.match(serviceMonitorSelected(s).fix ?? '', /serviceMonitor\.labels\.release=monitoring/);
  });
  it('explains that a null selector selects nothing', () => {
    const s = healthySnapshot();
    const prom = kpsPrometheus();
    prom.spec.serviceMonitorSelector = null;
    s.prometheuses = [prom];
    const r = serviceMonitorSelected(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /null selects no ServiceMonitor/);
    assert.match(r.fix ?? '', /serviceMonitorSelectorNilUsesHelmValues=false/);
  });
  it('fails when the namespace selector excludes our namespace', () => {
    const s = healthySnapshot();
    const prom = kpsPrometheus();
    prom.spec.serviceMonitorNamespaceSelector = { matchLabels: { monitoring: 'enabled' } };
    s.prometheuses = [prom];
    const r = serviceMonitorSelected(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /only in namespaces with monitoring=enabled/);
    s.namespaces.blog = { monitoring: 'enabled' };
    assert.equal(serviceMonitorSelected(s).status, 'pass');
  });
  it('passes when any one of several Prometheus resources selects us', () => {
    const s = healthySnapshot();
    const other = kpsPrometheus();
    other.metadata.name = 'team-prometheus';
    other.spec.serviceMonitorSelector = { matchLabels: { team: 'payments' } };
    s.prometheuses = [other, kpsPrometheus()];
    assert.equal(serviceMonitorSelected(s).status, 'pass');
  });
  it('fails without the CRDs, without a Prometheus, and without a ServiceMonitor', () => {
    const s = healthySnapshot();
    s.prometheuses = undefined;
    assert.match(serviceMonitorSelected(s).detail, /no prometheus-operator CRDs/);
    s.prometheuses = [];
    assert.match(serviceMonitorSelected(s).detail, /no Prometheus resource/);
    s.prometheuses = [kpsPrometheus()];
    s.serviceMonitors = [];
    assert.match(serviceMonitorSelected(s).fix ?? '', /serviceMonitor\.enabled=true/);
  });
});

describe('prometheusRuleSelected', () => {
  it('passes by default and fails a mislabelled rule with the prometheusRule.labels fix', () => {
    assert.equal(prometheusRuleSelected(healthySnapshot()).status, 'pass');
    const s = healthySnapshot();
    s.prometheusRules = [prometheusRule({})];
    const r = prometheusRuleSelected(s);
    assert.equal(r.status, 'fail');
    assert.match(r.fix ?? '', /--set prometheusRule\.labels\.release=kube-prometheus-stack/);
  });
  it('selects rules independently of ServiceMonitors', () => {
    const s = healthySnapshot();
    const prom = kpsPrometheus();
    prom.spec.ruleSelector = { matchLabels: { role: 'alert-rules' } };
    s.prometheuses = [prom];
    assert.equal(serviceMonitorSelected(s).status, 'pass');
    assert.equal(prometheusRuleSelected(s).status, 'fail');
  });
});

describe('serviceMonitorMatchesService', () => {
  it('passes for the chart as rendered', () => {
    assert.equal(serviceMonitorMatchesService(healthySnapshot()).status, 'pass');
  });
  it('fails when the endpoint names a port the Service lacks', () => {
    const s = healthySnapshot();
    s.serviceMonitors[0]!.spec.endpoints = [{ port: 'http-metrics' }];
    assert.match(serviceMonitorMatchesService(s).detail, /scrapes port\(s\) http-metrics/);
  });
  it('fails when its selector or namespace misses the Service', () => {
    const s = healthySnapshot();
    s.serviceMonitors[0]!.spec.selector = { matchLabels: { app: 'blog-api' } };
    assert.equal(serviceMonitorMatchesService(s).status, 'fail');
    const t = healthySnapshot();
    t.serviceMonitors[0]!.spec.namespaceSelector = { matchNames: ['default'] };
    assert.equal(serviceMonitorMatchesService(t).status, 'fail');
  });
});
