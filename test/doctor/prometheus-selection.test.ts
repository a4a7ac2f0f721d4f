// Whether kube-prometheus-stack's Prometheus picks up our ServiceMonitor and PrometheusRule:
// its default selectors, mislabelled objects, null and namespace selectors. No cluster is used.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  prometheusRuleSelected,
  serviceMonitorMatchesService,
  serviceMonitorSelected,
} from '../../scripts/doctor/checks/prometheus-selection.js';
import type { ServiceMonitor, Snapshot } from '../../scripts/doctor/types.js';
import { must } from '../helpers/must.js';
import { healthySnapshot, kpsPrometheus, prometheusRule, serviceMonitor } from './fixtures.js';

/** The snapshot's (only) ServiceMonitor, to edit. */
const ourServiceMonitor = (s: Snapshot): ServiceMonitor => must(s.serviceMonitors[0], 'our ServiceMonitor');

describe('serviceMonitorSelected', () => {
  it("when the chart's default labels meet kube-prometheus-stack's default selector, then it passes", () => {
    const r = serviceMonitorSelected(healthySnapshot());
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /monitoring\/kube-prometheus-stack-prometheus/);
  });
  it('when the ServiceMonitor is mislabelled, then it fails and gives the --set that fixes it', () => {
    const s = healthySnapshot();
    s.serviceMonitors = [serviceMonitor({ release: 'prometheus' })];
    const r = serviceMonitorSelected(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /release=prometheus/);
    assert.match(r.detail, /selects ServiceMonitors with release=kube-prometheus-stack/);
    assert.match(r.fix ?? '', /--set serviceMonitor\.labels\.release=kube-prometheus-stack/);
  });
  it('when kube-prometheus-stack was installed under another release name, then the fix names that release', () => {
    const s = healthySnapshot();
    const prom = kpsPrometheus();
    prom.spec.serviceMonitorSelector = { matchLabels: { release: 'monitoring' } };
    s.prometheuses = [prom];
    assert.match(serviceMonitorSelected(s).fix ?? '', /serviceMonitor\.labels\.release=monitoring/);
  });
  it('when the selector is null, then it fails explaining that null selects nothing', () => {
    const s = healthySnapshot();
    const prom = kpsPrometheus();
    prom.spec.serviceMonitorSelector = null;
    s.prometheuses = [prom];
    const r = serviceMonitorSelected(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /null selects no ServiceMonitor/);
    assert.match(r.fix ?? '', /serviceMonitorSelectorNilUsesHelmValues=false/);
  });
  it('when the namespace selector excludes our namespace, then it fails until the namespace is labelled', () => {
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
  it('when any one of several Prometheus resources selects us, then it passes', () => {
    const s = healthySnapshot();
    const other = kpsPrometheus();
    other.metadata.name = 'team-prometheus';
    other.spec.serviceMonitorSelector = { matchLabels: { team: 'payments' } };
    s.prometheuses = [other, kpsPrometheus()];
    assert.equal(serviceMonitorSelected(s).status, 'pass');
  });
  it('when the CRDs, a Prometheus or the ServiceMonitor is missing, then it fails saying which', () => {
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
  it('when the rule has default labels, then it passes; when mislabelled, then it fails with the prometheusRule.labels fix', () => {
    assert.equal(prometheusRuleSelected(healthySnapshot()).status, 'pass');
    const s = healthySnapshot();
    s.prometheusRules = [prometheusRule({})];
    const r = prometheusRuleSelected(s);
    assert.equal(r.status, 'fail');
    assert.match(r.fix ?? '', /--set prometheusRule\.labels\.release=kube-prometheus-stack/);
  });
  it('when only the rule selector misses us, then rules fail while ServiceMonitors pass', () => {
    const s = healthySnapshot();
    const prom = kpsPrometheus();
    prom.spec.ruleSelector = { matchLabels: { role: 'alert-rules' } };
    s.prometheuses = [prom];
    assert.equal(serviceMonitorSelected(s).status, 'pass');
    assert.equal(prometheusRuleSelected(s).status, 'fail');
  });
});

describe('serviceMonitorMatchesService', () => {
  it('when the objects are as the chart renders them, then it passes', () => {
    assert.equal(serviceMonitorMatchesService(healthySnapshot()).status, 'pass');
  });
  it('when the endpoint names a port the Service lacks, then it fails naming the port', () => {
    const s = healthySnapshot();
    ourServiceMonitor(s).spec.endpoints = [{ port: 'http-metrics' }];
    assert.match(serviceMonitorMatchesService(s).detail, /scrapes port\(s\) http-metrics/);
  });
  it('when its selector or namespace misses the Service, then it fails', () => {
    const s = healthySnapshot();
    ourServiceMonitor(s).spec.selector = { matchLabels: { app: 'blog-api' } };
    assert.equal(serviceMonitorMatchesService(s).status, 'fail');
    const t = healthySnapshot();
    ourServiceMonitor(t).spec.namespaceSelector = { matchNames: ['default'] };
    assert.equal(serviceMonitorMatchesService(t).status, 'fail');
  });
});
