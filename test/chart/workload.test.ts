/**
 * The workload contract other parts rely on (design.md, Dockerfile): ports, env, probes, security,
 * graceful shutdown, the secrets the pre-install hook can see, and the in-chart dependencies.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderChart, type K8sObject } from '../../scripts/chart-render.js';

type Obj = K8sObject & { spec: any; data?: Record<string, string> };

function find(objects: K8sObject[], kind: string, predicate: (o: Obj) => boolean = () => true): Obj {
  const hit = (objects as Obj[]).find((o) => o.kind === kind && predicate(o));
  assert.ok(hit, `no ${kind} rendered`);
  return hit;
}
const isHook = (o: Obj) => Boolean(o.metadata.annotations?.['helm.sh/hook']);

describe('workload (ci/default-values.yaml)', () => {
  const objects = renderChart({ valuesFiles: ['ci/default-values.yaml'] });
  const deploy = find(objects, 'Deployment');
  const pod = deploy.spec.template.spec;
  const api = pod.containers[0];

  it('exposes http 3000 and metrics 9464, and the Service names both ports', () => {
    assert.deepEqual(
      api.ports.map((p: any) => [p.name, p.containerPort]),
      [
        ['http', 3000],
        ['metrics', 9464],
      ],
    );
    const svc = find(objects, 'Service');
    assert.deepEqual(
      svc.spec.ports.map((p: any) => [p.name, p.targetPort]),
      [
        ['http', 'http'],
        ['metrics', 'metrics'],
      ],
    );
  });

  it('runs the image as numeric non-root 10001 with a read-only root fs and nothing extra', () => {
    assert.equal(api.image, 'blog-api:0.1.0');
    assert.equal(pod.securityContext.runAsUser, 10001);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
    assert.equal(api.securityContext.readOnlyRootFilesystem, true);
    assert.equal(api.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(api.securityContext.capabilities.drop, ['ALL']);
    assert.ok(api.volumeMounts.some((m: any) => m.mountPath === '/tmp'));
  });

  it('reads config from the ConfigMap (MIGRATE_ON_START=false) and secrets from the Secret', () => {
    const cm = find(objects, 'ConfigMap', (o) => o.metadata.name === deploy.metadata.name);
    assert.deepEqual(Object.keys(cm.data ?? {}).sort(), [
      'DB_ACQUIRE_TIMEOUT_MS',
      'DB_POOL_SIZE',
      'LOG_LEVEL',
      'METRICS_PORT',
      'MIGRATE_ON_START',
      'NODE_ENV',
      'PORT',
      'SHUTDOWN_GRACE_MS',
    ]);
    assert.equal(cm.data?.MIGRATE_ON_START, 'false');
    assert.equal(cm.data?.PORT, '3000');
    assert.equal(cm.data?.METRICS_PORT, '9464');
    const secretEnv = api.env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => e.name);
    assert.deepEqual(secretEnv, ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET']);
    const secret = find(objects, 'Secret', (o) => !isHook(o));
    assert.equal(
      Buffer.from(secret.data!.DATABASE_URL!, 'base64').toString(),
      'mysql://blog:secret@mysql.example.internal:3306/blog',
    );
    assert.ok(Buffer.from(secret.data!.JWT_SECRET!, 'base64').length >= 32, 'generated JWT secret too short');
  });

  it('probes /readyz for readiness and /livez for startup and liveness', () => {
    assert.equal(api.readinessProbe.httpGet.path, '/readyz');
    assert.equal(api.livenessProbe.httpGet.path, '/livez');
    assert.equal(api.startupProbe.httpGet.path, '/livez');
  });

  it('gives the drain time: grace period > preStop sleep + SHUTDOWN_GRACE_MS', () => {
    const sleep = Number(api.lifecycle.preStop.exec.command[1]);
    const cm = find(objects, 'ConfigMap', (o) => o.metadata.name === deploy.metadata.name);
    assert.ok(pod.terminationGracePeriodSeconds * 1000 > sleep * 1000 + Number(cm.data?.SHUTDOWN_GRACE_MS));
  });

  it('rolls pods on config and secret changes, spreads them, and has a PDB', () => {
    const ann = deploy.spec.template.metadata.annotations;
    assert.match(ann['checksum/config'], /^[0-9a-f]{64}$/);
    assert.match(ann['checksum/secret'], /^[0-9a-f]{64}$/);
    assert.ok(pod.topologySpreadConstraints.length >= 1);
    assert.ok(api.resources.requests.cpu && api.resources.limits.memory);
    find(objects, 'PodDisruptionBudget');
  });

  it('migrates in a pre-install/pre-upgrade hook Job that reads its own, earlier hook Secret', () => {
    const job = find(objects, 'Job');
    const secret = find(objects, 'Secret', isHook);
    assert.equal(job.metadata.annotations?.['helm.sh/hook'], 'pre-install,pre-upgrade');
    assert.equal(secret.metadata.annotations?.['helm.sh/hook'], 'pre-install,pre-upgrade');
    assert.ok(
      Number(secret.metadata.annotations?.['helm.sh/hook-weight']) < Number(job.metadata.annotations?.['helm.sh/hook-weight']),
    );
    const c = job.spec.template.spec.containers[0];
    assert.deepEqual(c.command, ['npm', 'run', 'migrate']);
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom.secretKeyRef.name]));
    assert.equal(env.DATABASE_URL, secret.metadata.name);
    assert.equal(env.npm_config_cache, '/tmp/.npm');
    assert.equal(env.npm_config_update_notifier, 'false');
    assert.equal(env.MIGRATE_ON_START, 'false');
    assert.ok(c.volumeMounts.some((m: any) => m.mountPath === '/tmp'));
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    // the release's ServiceAccount does not exist before install either
    assert.equal(job.spec.template.spec.serviceAccountName, undefined);
    // same values as the release Secret (one render memoises the generated JWT secret)
    const release = find(objects, 'Secret', (o) => !isHook(o));
    assert.deepEqual(secret.data, release.data);
  });
});

describe('workload variants', () => {
  it('existingSecret: no Secret rendered; pods and hook read the given one', () => {
    const objects = renderChart({ values: { existingSecret: 'my-env' } });
    assert.ok(!objects.some((o) => o.kind === 'Secret'));
    const job = find(objects, 'Job');
    const deploy = find(objects, 'Deployment');
    for (const c of [job.spec.template.spec.containers[0], deploy.spec.template.spec.containers[0]]) {
      const refs = c.env.filter((e: any) => e.valueFrom).map((e: any) => e.valueFrom.secretKeyRef.name);
      assert.deepEqual([...new Set(refs)], ['my-env']);
    }
  });

  it('a fixed jwtSecret is used as given', () => {
    const objects = renderChart({
      values: { existingSecret: '', jwtSecret: 'fixed-secret', externalDatabase: { url: 'mysql://a@b:3306/c' } },
    });
    const secret = find(objects, 'Secret', (o) => !isHook(o));
    assert.equal(Buffer.from(secret.data!.JWT_SECRET!, 'base64').toString(), 'fixed-secret');
  });

  it('in-chart MySQL and Redis: official images, PVC, URLs pointing at them, migration after install', () => {
    const objects = renderChart({ valuesFiles: ['ci/full-values.yaml'] });
    const mysql = find(objects, 'StatefulSet');
    assert.match(mysql.spec.template.spec.containers[0].image, /^mysql:/);
    assert.equal(mysql.spec.replicas, 1);
    assert.equal(mysql.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '5Gi');
    const redis = find(objects, 'Deployment', (o) => o.metadata.name.endsWith('-redis'));
    assert.match(redis.spec.template.spec.containers[0].image, /^redis:/);
    const all = JSON.stringify(objects);
    assert.ok(!/bitnami/i.test(all), 'no Bitnami images');
    const secret = find(objects, 'Secret', (o) => !isHook(o) && !o.metadata.name.endsWith('-mysql'));
    const dbUrl = Buffer.from(secret.data!.DATABASE_URL!, 'base64').toString();
    const mysqlSecret = find(objects, 'Secret', (o) => o.metadata.name.endsWith('-mysql'));
    const password = Buffer.from(mysqlSecret.data!.MYSQL_PASSWORD!, 'base64').toString();
    assert.equal(dbUrl, `mysql://blog:${password}@blog-api-mysql:3306/blog`);
    assert.equal(Buffer.from(secret.data!.REDIS_URL!, 'base64').toString(), 'redis://blog-api-redis:6379');
    assert.equal(find(objects, 'Job').metadata.annotations?.['helm.sh/hook'], 'post-install,pre-upgrade');
  });

  it('NetworkPolicy: http from anywhere, metrics from monitoring, egress to DB, Redis and DNS', () => {
    const np = find(renderChart({ valuesFiles: ['ci/full-values.yaml'] }), 'NetworkPolicy');
    const [http, metrics] = np.spec.ingress;
    assert.equal(http.from, undefined);
    assert.equal(http.ports[0].port, 'http');
    assert.equal(metrics.ports[0].port, 'metrics');
    assert.equal(metrics.from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'], 'monitoring');
    const egressPorts = np.spec.egress.flatMap((r: any) => r.ports.map((p: any) => p.port));
    for (const port of [53, 3306, 6379]) assert.ok(egressPorts.includes(port), `egress ${port}`);
  });

  it('Ingress routes only the http port', () => {
    const ing = find(renderChart({ valuesFiles: ['ci/full-values.yaml'] }), 'Ingress');
    const ports = ing.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.backend.service.port.name));
    assert.deepEqual([...new Set(ports)], ['http']);
  });

  it('helm test pod calls /readyz and an API read', () => {
    const pod = find(renderChart({ valuesFiles: ['ci/default-values.yaml'] }), 'Pod');
    assert.equal(pod.metadata.annotations?.['helm.sh/hook'], 'test');
    const script = pod.spec.containers[0].args.join('\n');
    assert.match(script, /\/readyz/);
    assert.match(script, /\/api\/tags/);
  });
});
