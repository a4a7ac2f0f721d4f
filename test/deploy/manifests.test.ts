// k8s/blog-api*.yaml are exactly what the chart renders (scripts/render-k8s.sh --check, with the
// helm that scripts/ensure-tools.sh provides) and keep the image contract.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ROOT, loadAllYaml } from './repo.js';

interface Doc {
  kind: string;
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
  spec?: {
    ports?: { name: string; port: number }[];
    template?: {
      spec: {
        containers: {
          command?: string[];
          securityContext: { runAsUser?: number; readOnlyRootFilesystem?: boolean };
          ports: { name: string; containerPort: number }[];
        }[];
        initContainers?: { command?: string[] }[];
      };
    };
  };
}

describe('k8s plain manifests', () => {
  it('match `helm template` of charts/blog-api', () => {
    const r = spawnSync('bash', ['scripts/render-k8s.sh', '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `${r.stderr}\n(helm must be on PATH: source scripts/ensure-tools.sh)`);
  });
  it('run the image as the Dockerfile expects', () => {
    const docs = loadAllYaml('k8s/blog-api.yaml') as Doc[];
    const deploy = docs.find((d) => d.kind === 'Deployment' && d.metadata?.name === 'blog-api');
    const pod = deploy?.spec?.template?.spec;
    const api = pod?.containers[0];
    assert.ok(api, 'no blog-api Deployment');
    assert.equal(api.command, undefined, 'the image CMD (node as PID 1) must run');
    assert.equal(api.securityContext.runAsUser, 10001);
    assert.equal(api.securityContext.readOnlyRootFilesystem, true);
    assert.deepEqual(
      api.ports.map((p) => [p.name, p.containerPort]),
      [
        ['http', 3000],
        ['metrics', 9464],
      ],
    );
    // migrations in the pod (no Helm hook Job, which kubectl would apply only once)
    assert.deepEqual(pod.initContainers?.[0]?.command?.slice(0, 3), ['npm', 'run', 'migrate']);
    assert.ok(!docs.some((d) => d.kind === 'Job'));
    const svc = docs.find((d) => d.kind === 'Service' && d.metadata?.name === 'blog-api');
    assert.deepEqual(
      svc?.spec?.ports?.map((p) => [p.name, p.port]),
      [
        ['http', 80],
        ['metrics', 9464],
      ],
    );
    assert.ok(!docs.some((d) => d.kind === 'Secret'), 'no credentials in the committed manifests');
    assert.ok(!docs.some((d) => d.metadata?.annotations?.['helm.sh/hook'] === 'test'), 'no helm test pod');
    const elsewhere = docs.filter((d) => d.metadata?.namespace !== 'blog-api').map((d) => `${d.kind}/${d.metadata?.name}`);
    assert.deepEqual(elsewhere, [], 'every object names its namespace');
  });
});
