// skaffold.yaml parses to the structure skaffold v2 expects, and every name in it points at
// something real: Dockerfile targets, the chart and its values keys, Service names and ports.
// (No skaffold binary or cluster is used here: test/cluster/skaffold.cluster.ts runs the real
// skaffold against the lab.)
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, dockerStages, loadYaml, read, valueAt } from './repo.js';

interface Artifact {
  image: string;
  docker: { dockerfile: string; target: string };
  custom?: { buildCommand: string; dependencies: { paths: string[] } };
  sync?: { manual: { src: string; dest: string }[] };
}
interface Release {
  name: string;
  chartPath: string;
  namespace: string;
  valuesFiles?: string[];
  setValueTemplates: Record<string, string>;
  setValues: Record<string, unknown>;
}
interface Patch {
  op: string;
  path: string;
  value: unknown;
}
interface Profile {
  name: string;
  activation: Record<string, string>[];
  patches: Patch[];
}
interface PortForward {
  resourceType: string;
  resourceName: string;
  namespace: string;
  port: number;
  localPort: number;
}
interface Skaffold {
  apiVersion: string;
  kind: string;
  build: { local: { push: boolean }; artifacts: Artifact[] };
  deploy: { helm: { releases: Release[] } };
  portForward: PortForward[];
  profiles: Profile[];
}
const skaffold = loadYaml('skaffold.yaml') as Skaffold;
const values = loadYaml('charts/blog-api/values.yaml');
const stageNames = dockerStages(read('Dockerfile')).map((s) => s.name);

/** Apply the JSON-patch ops skaffold profiles use (add, replace, remove) to a copy. */
function applyPatches(doc: Skaffold, patches: Patch[]): Skaffold {
  const out = structuredClone(doc);
  for (const p of patches) {
    assert.ok(['add', 'replace', 'remove'].includes(p.op), `unsupported op ${p.op}`);
    const keys = p.path
      .split('/')
      .slice(1)
      .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop();
    assert.ok(last !== undefined, `empty patch path ${p.path}`);
    let node: Record<string, unknown> = out as unknown as Record<string, unknown>;
    for (const k of keys) {
      const next = node[k];
      assert.ok(next !== null && typeof next === 'object', `patch path ${p.path} does not exist`);
      node = next as Record<string, unknown>;
    }
    if (p.op !== 'add') assert.ok(last in node, `${p.op} of missing ${p.path}`);
    if (p.op === 'remove') Reflect.deleteProperty(node, last);
    else node[last] = p.value;
  }
  return out;
}

/** Files under ROOT matching a skaffold sync glob (** = any directories, * = within one). */
function globFiles(pattern: string): string[] {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*\*\//g, '@@ANYDIR@@')
      .replace(/\*/g, '[^/]*')
      .replace(/@@ANYDIR@@/g, '(?:.*/)?')}$`,
  );
  const top = pattern.split('/')[0] ?? '';
  return (readdirSync(join(ROOT, top), { recursive: true }) as string[]).map((f) => `${top}/${f}`).filter((f) => re.test(f));
}

function first<T>(list: readonly T[] | undefined, what: string): T {
  const item = list?.[0];
  assert.ok(item !== undefined, `no ${what}`);
  return item;
}
function profile(name: string): Profile {
  const p = skaffold.profiles.find((x) => x.name === name);
  assert.ok(p, `no profile ${name}`);
  return p;
}
/** The config with profiles applied in the order skaffold applies them (auto-activated in list order). */
const withProfile = (...names: string[]): Skaffold =>
  names.reduce((doc, name) => applyPatches(doc, profile(name).patches), skaffold);
const releaseOf = (doc: Skaffold): Release => first(doc.deploy.helm.releases, 'helm release');

describe('skaffold.yaml', () => {
  it('is a skaffold v4beta Config', () => {
    assert.match(skaffold.apiVersion, /^skaffold\/v4beta\d+$/);
    assert.equal(skaffold.kind, 'Config');
    assert.deepEqual(
      Object.keys(skaffold).filter(
        (k) => !['apiVersion', 'kind', 'metadata', 'build', 'deploy', 'portForward', 'profiles'].includes(k),
      ),
      [],
    );
  });
  it('builds the runtime target of the Dockerfile without pushing', () => {
    const artifact = first(skaffold.build.artifacts, 'artifact');
    assert.equal(artifact.image, 'blog-api');
    assert.equal(artifact.docker.dockerfile, 'Dockerfile');
    assert.ok(stageNames.includes(artifact.docker.target));
    assert.equal(artifact.docker.target, 'runtime');
    assert.equal(skaffold.build.local.push, false);
  });
  it('deploys charts/blog-api with the built image through the chart values', () => {
    const release = releaseOf(skaffold);
    assert.ok(existsSync(join(ROOT, release.chartPath, 'Chart.yaml')));
    // skaffold names the template variables after the image, with non-alphanumerics as "_"
    const key = first(skaffold.build.artifacts, 'artifact').image.replace(/[^A-Za-z0-9]/g, '_');
    assert.deepEqual(release.setValueTemplates, {
      'image.repository': `{{.IMAGE_REPO_${key}}}`,
      'image.tag': `{{.IMAGE_TAG_${key}}}`,
    });
    for (const k of [...Object.keys(release.setValueTemplates), ...Object.keys(release.setValues)]) {
      assert.notEqual(valueAt(values, k), undefined, `${k} is not a chart value`);
    }
  });
  for (const name of ['kind', 'minikube', 'dev', 'lab']) {
    it(`profile ${name}: patches apply and set only existing chart values`, () => {
      const patched = withProfile(name);
      for (const k of Object.keys(releaseOf(patched).setValues)) {
        assert.notEqual(valueAt(values, k), undefined, `${k} is not a chart value`);
      }
    });
  }
  it('kind and minikube turn on the in-chart MySQL and Redis and activate on their contexts', () => {
    const kindName = (loadYaml('k8s/kind-config.yaml') as { name: string }).name;
    for (const [name, ctx] of [
      ['kind', `kind-${kindName}`],
      ['minikube', 'minikube'],
    ] as const) {
      assert.deepEqual(profile(name).activation, [{ kubeContext: ctx }]);
      const setValues = releaseOf(withProfile(name)).setValues;
      assert.equal(setValues['mysql.enabled'], true);
      assert.equal(setValues['redis.enabled'], true);
    }
  });
  it('dev syncs the TypeScript sources into the dev image WORKDIR, writable', () => {
    // not on the lab's context, where the lab profile replaces the docker builder (lab-dev instead)
    assert.deepEqual(profile('dev').activation, [{ command: 'dev', kubeContext: '!blog-api-lab' }]);
    const dev = withProfile('dev');
    const artifact = first(dev.build.artifacts, 'artifact');
    assert.equal(artifact.docker.target, 'dev');
    const rule = first(artifact.sync?.manual, 'sync rule');
    assert.ok(globFiles(rule.src).includes('app/main.ts'), `${rule.src} matches no source`);
    const stages = dockerStages(read('Dockerfile'));
    const workdirOf = (name: string): string | undefined => {
      const s = stages.find((x) => x.name === name);
      const own = s?.lines
        .filter((l) => l.startsWith('WORKDIR '))
        .at(-1)
        ?.split(/\s+/)[1];
      return own ?? (s && stages.some((x) => x.name === s.from) ? workdirOf(s.from) : undefined);
    };
    assert.equal(rule.dest, workdirOf('dev'));
    assert.equal(releaseOf(dev).setValues['securityContext.readOnlyRootFilesystem'], false);
  });
  it('lab builds with podman through the custom build script, deploys with ci/lab-values.yaml, and activates on the lab context', () => {
    const order = skaffold.profiles.map((p) => p.name);
    assert.ok(order.indexOf('lab') < order.indexOf('lab-dev'), 'lab-dev patches what lab adds: lab comes first');
    assert.deepEqual(profile('lab').activation, [{ kubeContext: 'blog-api-lab' }]);
    assert.deepEqual(profile('lab-dev').activation, [{ command: 'dev', kubeContext: 'blog-api-lab' }]);
    const lab = withProfile('lab');
    const artifact = first(lab.build.artifacts, 'artifact');
    assert.equal((artifact as Partial<Artifact>).docker, undefined);
    assert.match(artifact.custom?.buildCommand ?? '', /^bash scripts\/lab\/skaffold-build\.sh runtime$/);
    assert.ok(existsSync(join(ROOT, 'scripts/lab/skaffold-build.sh')));
    const release = releaseOf(lab);
    assert.deepEqual(release.valuesFiles, ['charts/blog-api/ci/lab-values.yaml']);
    assert.equal(release.setValues['image.pullPolicy'], 'Never');
    assert.equal(lab.build.local.push, false);
    // skaffold dev on the lab: lab, then lab-dev
    const dev = withProfile('lab', 'lab-dev');
    const devArtifact = first(dev.build.artifacts, 'artifact');
    assert.match(devArtifact.custom?.buildCommand ?? '', / dev$/);
    assert.ok(stageNames.includes('dev'));
    assert.ok(globFiles(first(devArtifact.sync?.manual, 'sync rule').src).includes('app/main.ts'));
    assert.equal(releaseOf(dev).setValues['securityContext.readOnlyRootFilesystem'], false);
  });
  it('port-forwards the API and metrics Service ports and kube-prometheus-stack Grafana/Prometheus', () => {
    const fwd = skaffold.portForward;
    const release = releaseOf(skaffold);
    const api = fwd.filter((f) => f.resourceName === release.name && f.namespace === release.namespace);
    assert.deepEqual(
      api.map((f) => f.port).sort(),
      [valueAt(values, 'service.port'), valueAt(values, 'service.metricsPort')].sort(),
    );
    const kps = /^KPS_RELEASE=(\S+)/m.exec(read('k8s/stack.sh'))?.[1];
    assert.ok(fwd.some((f) => f.resourceName === `${kps}-grafana` && f.namespace === 'monitoring'));
    assert.ok(fwd.some((f) => f.resourceName === `${kps}-prometheus` && f.port === 9090));
    const local = fwd.map((f) => f.localPort);
    assert.equal(new Set(local).size, local.length, 'local ports collide');
  });
});
