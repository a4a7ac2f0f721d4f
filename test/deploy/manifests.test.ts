// k8s/blog-api*.yaml are exactly what the chart renders (scripts/render-k8s.sh --check, with the
// helm that scripts/ensure-tools.sh provides) and keep the image contract.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ROOT, loadAllYaml } from './repo.js';

describe('k8s plain manifests', () => {
  it('match `helm template` of charts/blog-api', () => {
    const r = spawnSync('bash', ['scripts/render-k8s.sh', '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `${r.stderr}\n(helm must be on PATH: source scripts/ensure-tools.sh)`);
  });
  it('run the image as the Dockerfile expects', () => {
    const docs = loadAllYaml('k8s/blog-api.yaml');
    const deploy = docs.find((d) => d.kind === 'Deployment');
    const job = docs.find((d) => d.kind === 'Job');
    const api = deploy?.spec.template.spec.containers[0];
    assert.equal(api.command, undefined, 'the image CMD (node as PID 1) must run');
    assert.equal(api.securityContext.runAsUser, 10001);
    assert.equal(api.securityContext.readOnlyRootFilesystem, true);
    assert.deepEqual(
      api.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]),
      [
        ['http', 3000],
        ['metrics', 9464],
      ],
    );
    assert.deepEqual(job?.spec.template.spec.containers[0].command, ['npm', 'run', 'migrate']);
    const svc = docs.find((d) => d.kind === 'Service');
    assert.deepEqual(
      svc?.spec.ports.map((p: { name: string; port: number }) => [p.name, p.port]),
      [
        ['http', 80],
        ['metrics', 9464],
      ],
    );
    assert.ok(!docs.some((d) => d.kind === 'Secret'), 'no credentials in the committed manifests');
    assert.ok(!docs.some((d) => d.metadata?.annotations?.['helm.sh/hook'] === 'test'), 'no helm test pod');
  });
});
