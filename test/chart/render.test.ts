/**
 * `helm lint --strict` and `helm template` over every ci/*-values.yaml, with every rendered object
 * validated offline against the Kubernetes and prometheus-operator schemas.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { CHART_DIR, helm, renderChart } from '../../scripts/chart-render.js';
import { knownModelCount, validateObject } from './k8s-validate.js';

const ciFiles = readdirSync(path.join(CHART_DIR, 'ci'))
  .filter((f) => f.endsWith('-values.yaml'))
  .map((f) => `ci/${f}`);

describe('chart render matrix', () => {
  it('has the chart-testing values files: defaults, minimal, everything enabled', () => {
    for (const f of ['ci/default-values.yaml', 'ci/minimal-values.yaml', 'ci/full-values.yaml']) {
      assert.ok(ciFiles.includes(f), `missing ${f}`);
    }
  });

  for (const file of ciFiles) {
    it(`${file}: helm lint --strict passes`, () => {
      // lint has no --api-versions: it sees no monitoring CRDs (the render test below does)
      const out = helm(['lint', '--strict', CHART_DIR, '-f', path.join(CHART_DIR, file), '--kube-version', '1.30.0']);
      assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });

    it(`${file}: every rendered object validates against its schema`, () => {
      const objects = renderChart({ valuesFiles: [file] });
      assert.ok(objects.length >= 5, `only ${objects.length} objects rendered`);
      const problems = objects.flatMap(validateObject);
      assert.deepEqual(problems, []);
      const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      assert.equal(new Set(ids).size, ids.length, `duplicate objects: ${ids.join(', ')}`);
    });
  }

  it('everything enabled renders every kind the chart has', () => {
    const kinds = new Set(renderChart({ valuesFiles: ['ci/full-values.yaml'] }).map((o) => o.kind));
    for (const kind of [
      'Deployment',
      'Service',
      'ServiceAccount',
      'ConfigMap',
      'Secret',
      'Ingress',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'NetworkPolicy',
      'Job',
      'Pod',
      'StatefulSet',
      'ServiceMonitor',
      'PrometheusRule',
      'AlertmanagerConfig',
    ]) {
      assert.ok(kinds.has(kind), `no ${kind} rendered`);
    }
  });

  it('leaves the monitoring objects out when the cluster lacks their CRDs', () => {
    const kinds = renderChart({ valuesFiles: ['ci/full-values.yaml'], monitoringApis: false }).map((o) => o.kind);
    for (const kind of ['ServiceMonitor', 'PrometheusRule', 'AlertmanagerConfig']) assert.ok(!kinds.includes(kind), kind);
    // dashboards are plain ConfigMaps: still there
    assert.ok(kinds.includes('ConfigMap'));
  });

  it('the validator itself rejects a wrong type, an unknown kind and a deprecated API', () => {
    assert.ok(knownModelCount() > 100);
    const bad = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: { replicas: 'two', selector: {}, template: {} },
    };
    assert.match(validateObject(bad).join(), /replicas/);
    assert.match(validateObject({ apiVersion: 'v1', kind: 'Bogus', metadata: { name: 'x' } }).join(), /no schema/);
    assert.match(
      validateObject({ apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'x' } }).join(),
      /apiVersion/,
    );
  });
});
