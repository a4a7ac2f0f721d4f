/**
 * The plain manifests (k8s/blog-api.yaml, kept identical to `helm template` by
 * scripts/render-k8s.sh) come up on the lab with kubectl alone: the Secret their header asks for,
 * then `kubectl apply`. The only change is the one their header tells users to make, the image
 * names (the lab has no registry: kustomize points them at the lab-built images, which are then
 * present on the node). k8s/blog-api-monitoring.yaml needs the prometheus-operator CRDs, which
 * the lab does not have; it is validated offline (test/deploy).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, clusterIP, figure, http, isReady, kubectl, pods, run, seconds, waitFor } from './lab.js';

const NS = 'blog-api'; // the namespace written in the manifests
const dir = mkdtempSync(path.join(tmpdir(), 'blog-api-k8s-'));
let rendered = '';

describe('kubectl apply of k8s/blog-api.yaml on the lab', { timeout: 600_000 }, () => {
  before(() => {
    kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=true', '--timeout=120s']);
    copyFileSync(path.join(REPO, 'k8s', 'blog-api.yaml'), path.join(dir, 'blog-api.yaml'));
    writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      [
        'resources: [blog-api.yaml]',
        'images:',
        '  - {name: blog-api, newName: localhost/blog-api, newTag: lab}',
        '  - {name: mysql, newName: localhost/blog-api-lab/mariadb, newTag: "10.11"}',
        '  - {name: redis, newName: localhost/blog-api-lab/redis, newTag: "7.0"}',
        '',
      ].join('\n'),
    );
    rendered = kubectl(['kustomize', dir]);
  });
  after(() => {
    if (rendered)
      kubectl(['delete', '-f', '-', '--ignore-not-found', '--wait=true', '--timeout=120s'], {
        input: rendered,
        allowFailure: true,
      });
    kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=true', '--timeout=120s'], { allowFailure: true });
    run('bash', ['scripts/lab/volumes.sh'], { allowFailure: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('comes up: the Secret from its header, kubectl apply, all pods ready, the API serving', async () => {
    kubectl(['create', 'namespace', NS]);
    const secret = (n: number) => randomBytes(n).toString('hex');
    kubectl([
      '-n',
      NS,
      'create',
      'secret',
      'generic',
      'blog-api',
      `--from-literal=JWT_SECRET=${secret(32)}`,
      `--from-literal=MYSQL_PASSWORD=${secret(16)}`,
      `--from-literal=MYSQL_ROOT_PASSWORD=${secret(16)}`,
    ]);
    const started = Date.now();
    kubectl(['apply', '-f', '-'], { input: rendered });
    kubectl(['-n', NS, 'rollout', 'status', 'statefulset/blog-api-mysql', '--timeout=300s'], { timeoutMs: 320_000 });
    kubectl(['-n', NS, 'rollout', 'status', 'deployment/blog-api', '--timeout=300s'], { timeoutMs: 320_000 });
    const took = Date.now() - started;
    const api = pods(NS, 'app.kubernetes.io/component=api');
    assert.equal(api.filter(isReady).length, 2);
    const base = `http://${clusterIP(NS, 'blog-api')}`;
    await waitFor('the ClusterIP', 30_000, async () => ((await http(`${base}/readyz`)).status === 200 ? true : undefined));
    const name = `plain${Date.now().toString(36)}`;
    const user = await http(`${base}/api/users`, {
      method: 'POST',
      body: { user: { username: name, email: `${name}@plain.test`, password: 'plain-password-1' } },
    });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    const tags = await http(`${base}/api/tags`);
    assert.equal(tags.status, 200);
    // applying the same file again is harmless: no error, no rollout (no one-shot Job to trip over;
    // kubectl may still report a no-op patch as "configured")
    const generations = () =>
      ['deployment/blog-api', 'statefulset/blog-api-mysql', 'deployment/blog-api-redis']
        .map((o) => kubectl(['-n', NS, 'get', o, '-o', 'jsonpath={.metadata.generation}']).trim())
        .join(',');
    const before = generations();
    kubectl(['apply', '-f', '-'], { input: rendered });
    assert.equal(generations(), before, 'the re-apply changed a workload spec');
    figure(
      `kubectl apply -f k8s/blog-api.yaml: API, MySQL and Redis ready in ${seconds(took)}; registration 201; a re-apply changes no workload`,
    );
  });
});
