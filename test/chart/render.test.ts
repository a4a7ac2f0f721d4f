/**
 * `helm lint --strict` and `helm template` over every ci/*-values.yaml, with every rendered object
 * validated offline against the Kubernetes and prometheus-operator schemas.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CHART_DIR, HelmError, helm, renderChart } from '../../scripts/chart-render.js';
import { knownModelCount, validateObject } from './k8s-validate.js';

const ciFiles = readdirSync(path.join(CHART_DIR, 'ci'))
  .filter((f) => f.endsWith('-values.yaml'))
  .map((f) => `ci/${f}`);

/**
 * Values files meant for `helm install` on a cluster (lab-values.yaml) leave the credentials to be
 * generated; rendered here without a cluster they need them given, as a GitOps render does.
 */
const OFFLINE_SECRETS = {
  jwtSecret: 'offline-render-jwt-secret-0123456789',
  mysql: { auth: { password: 'pw', rootPassword: 'root-pw' } },
};
function leavesSecretsToInstall(file: string): boolean {
  const v = (parse(readFileSync(path.join(CHART_DIR, file), 'utf8')) ?? {}) as { existingSecret?: string; jwtSecret?: string };
  return !v.existingSecret && !v.jwtSecret;
}

describe('chart render matrix', () => {
  it('has the chart-testing values files: defaults, minimal, everything enabled', () => {
    for (const f of ['ci/default-values.yaml', 'ci/minimal-values.yaml', 'ci/full-values.yaml']) {
      assert.ok(ciFiles.includes(f), `missing ${f}`);
    }
  });

  it('has the lab and production values: lab images never pulled; production is the documented block', () => {
    for (const f of ['ci/lab-values.yaml', 'ci/production-values.yaml']) assert.ok(ciFiles.includes(f), `missing ${f}`);
    interface Image {
      repository: string;
      pullPolicy: string;
    }
    const lab = parse(readFileSync(path.join(CHART_DIR, 'ci/lab-values.yaml'), 'utf8')) as {
      image: Image;
      mysql: { image: Image };
      redis: { image: Image };
    };
    for (const [part, image] of [
      ['image', lab.image],
      ['mysql', lab.mysql.image],
      ['redis', lab.redis.image],
    ] as const) {
      assert.match(image.repository, /^localhost\//, part);
      assert.equal(image.pullPolicy, 'Never', part);
    }
    // values.yaml's commented production block is the file, line for line
    const values = readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8');
    const block = [...values.matchAll(/^# {3}(.*)$/gm)].map((m) => (m[1] ?? '').replace(/\s+#.*$/, '').trimEnd());
    const file = readFileSync(path.join(CHART_DIR, 'ci/production-values.yaml'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    assert.deepEqual(block, file);
  });

  for (const file of ciFiles) {
    const extra = leavesSecretsToInstall(file) ? OFFLINE_SECRETS : undefined;
    if (extra) {
      it(`${file}: without a cluster, refuses to generate the secrets it leaves to helm install`, () => {
        assert.throws(
          () => renderChart({ valuesFiles: [file] }),
          (err: unknown) => err instanceof HelmError && err.stderr.includes('cannot see the cluster'),
        );
      });
    }

    it(`${file}: helm lint --strict passes`, () => {
      // lint has no --api-versions: it sees no monitoring CRDs (the render test below does)
      const args = ['lint', '--strict', CHART_DIR, '-f', path.join(CHART_DIR, file), '--kube-version', '1.30.0'];
      if (extra) args.push('--set', `jwtSecret=${extra.jwtSecret},mysql.auth.password=pw,mysql.auth.rootPassword=root-pw`);
      const out = helm(args);
      assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });

    it(`${file}: every rendered object validates against its schema`, () => {
      const objects = renderChart({ valuesFiles: [file], values: extra });
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
