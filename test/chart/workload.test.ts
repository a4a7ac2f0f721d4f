/**
 * The workload contract other parts rely on (design.md, Dockerfile): ports, env, probes, security,
 * graceful shutdown, migrations before the service starts, the credentials and where they come
 * from, the in-chart dependencies, and the objects' namespaces.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  V1ConfigMap,
  V1Container,
  V1Deployment,
  V1EnvVar,
  V1Ingress,
  V1NetworkPolicy,
  V1Pod,
  V1PodSpec,
  V1Secret,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import { renderChart, type K8sObject } from '../../scripts/chart-render.js';

function find<T>(objects: K8sObject[], kind: string, predicate: (o: T & K8sObject) => boolean = () => true): T {
  const hit = objects.find((o) => o.kind === kind && predicate(o as T & K8sObject));
  assert.ok(hit, `no ${kind} rendered`);
  return hit as unknown as T;
}
function first<T>(list: readonly T[] | undefined, what: string): T {
  const item = list?.[0];
  assert.ok(item !== undefined, `no ${what}`);
  return item;
}
const named = (suffix: string) => (o: K8sObject) => o.metadata.name.endsWith(suffix);
const decode = (secret: V1Secret, key: string): string => Buffer.from(secret.data?.[key] ?? '', 'base64').toString();
/** env name -> literal value, or `secret:<name>/<key>` for a secretKeyRef. */
function envMap(c: V1Container): Record<string, string> {
  return Object.fromEntries(
    (c.env ?? []).map((e: V1EnvVar) => {
      const ref = e.valueFrom?.secretKeyRef;
      return [e.name, ref ? `secret:${ref.name}/${ref.key}` : (e.value ?? '')];
    }),
  );
}
function podOf(d: V1Deployment | V1StatefulSet): V1PodSpec {
  const spec = d.spec?.template.spec;
  assert.ok(spec, 'no pod spec');
  return spec;
}

describe('workload (ci/default-values.yaml: the defaults)', () => {
  const objects = renderChart({ valuesFiles: ['ci/default-values.yaml'] });
  const deploy = find<V1Deployment>(objects, 'Deployment', named('blog-api'));
  const pod = podOf(deploy);
  const api = first(pod.containers, 'container');

  it('exposes http 3000 and metrics 9464, and the Service names both ports', () => {
    assert.deepEqual(
      api.ports?.map((p) => [p.name, p.containerPort]),
      [
        ['http', 3000],
        ['metrics', 9464],
      ],
    );
    const svc = find<V1Service>(objects, 'Service', (o) => o.metadata.name === 'blog-api');
    assert.deepEqual(
      svc.spec?.ports?.map((p) => [p.name, p.targetPort]),
      [
        ['http', 'http'],
        ['metrics', 'metrics'],
      ],
    );
  });

  it('runs the local image as numeric non-root 10001 with a read-only root fs, never pulling it', () => {
    assert.equal(api.image, 'blog-api:0.1.0');
    // no registry in the name: only the node can have it, so the kubelet must not ask a registry
    assert.equal(api.imagePullPolicy, 'Never');
    assert.equal(pod.securityContext?.runAsUser, 10001);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.seccompProfile?.type, 'RuntimeDefault');
    assert.equal(api.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(api.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(api.securityContext.capabilities?.drop, ['ALL']);
    assert.ok(api.volumeMounts?.some((m) => m.mountPath === '/tmp'));
  });

  it('reads config from the ConfigMap (MIGRATE_ON_START=false) and credentials from the Secret', () => {
    const cm = find<V1ConfigMap>(objects, 'ConfigMap', (o) => o.metadata.name === deploy.metadata?.name);
    assert.deepEqual(Object.keys(cm.data ?? {}).sort(), [
      'CORS_MAX_AGE_SECONDS',
      'DB_ACQUIRE_TIMEOUT_MS',
      'DB_POOL_SIZE',
      'LOG_LEVEL',
      'METRICS_PORT',
      'MIGRATE_ON_START',
      'NODE_ENV',
      'PORT',
      'RATE_LIMIT_AUTH_PER_MINUTE',
      'RATE_LIMIT_WRITES_PER_MINUTE',
      'SHUTDOWN_GRACE_MS',
      'TRUSTED_PROXY_COUNT',
    ]);
    assert.equal(cm.data?.MIGRATE_ON_START, 'false');
    assert.equal(cm.data.PORT, '3000');
    assert.equal(cm.data.METRICS_PORT, '9464');
    assert.deepEqual(envMap(api), {
      JWT_SECRET: 'secret:blog-api/JWT_SECRET',
      MYSQL_PASSWORD: 'secret:blog-api/MYSQL_PASSWORD',
      // composed by Kubernetes from the variable above: no URL with a password is stored
      DATABASE_URL: 'mysql://blog:$(MYSQL_PASSWORD)@blog-api-mysql:3306/blog',
      REDIS_URL: 'redis://blog-api-redis:6379',
      NODE_OPTIONS: '--max-semi-space-size=16',
    });
    const secret = find<V1Secret>(objects, 'Secret');
    assert.deepEqual(Object.keys(secret.data ?? {}).sort(), ['JWT_SECRET', 'MYSQL_PASSWORD', 'MYSQL_ROOT_PASSWORD']);
    assert.equal(decode(secret, 'MYSQL_PASSWORD'), 'ci-only-mysql-password');
    assert.equal(decode(secret, 'JWT_SECRET'), 'ci-only-jwt-secret-0123456789abcdef0123456789');
  });

  it('probes /readyz for readiness and /livez for startup and liveness; a short DB restart keeps pods in', () => {
    assert.equal(api.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(api.livenessProbe?.httpGet?.path, '/livez');
    assert.equal(api.startupProbe?.httpGet?.path, '/livez');
    const r = api.readinessProbe;
    assert.ok((r.periodSeconds ?? 10) * (r.failureThreshold ?? 3) >= 30, 'readiness tolerates a 30 s database restart');
  });

  it('gives the drain time: grace period > preStop sleep + SHUTDOWN_GRACE_MS', () => {
    const sleep = Number(api.lifecycle?.preStop?.exec?.command?.[1]);
    const cm = find<V1ConfigMap>(objects, 'ConfigMap', (o) => o.metadata.name === deploy.metadata?.name);
    assert.ok((pod.terminationGracePeriodSeconds ?? 0) * 1000 > sleep * 1000 + Number(cm.data?.SHUTDOWN_GRACE_MS));
  });

  it('rolls pods on config and secret changes, spreads them, and has a PDB', () => {
    const ann = deploy.spec?.template.metadata?.annotations ?? {};
    assert.match(ann['checksum/config'] ?? '', /^[0-9a-f]{64}$/);
    assert.match(ann['checksum/secret'] ?? '', /^[0-9a-f]{64}$/);
    assert.ok((pod.topologySpreadConstraints ?? []).length >= 1);
    assert.ok(api.resources?.requests?.cpu && api.resources.limits?.memory);
    find(objects, 'PodDisruptionBudget');
  });

  it('migrates in an init container (npm run migrate, bounded wait for the database), with no hook', () => {
    const init = pod.initContainers?.[0];
    assert.ok(init, 'no init container');
    assert.equal(init.name, 'migrate');
    assert.deepEqual(init.command, ['npm', 'run', 'migrate', '--', '--wait-seconds=300']);
    assert.equal(init.image, api.image);
    assert.equal(init.imagePullPolicy, api.imagePullPolicy);
    assert.deepEqual(init.envFrom, api.envFrom);
    const env = envMap(init);
    // the same env as the API, but not its heap tuning (NODE_OPTIONS): a one-shot migration is no busy server
    const { NODE_OPTIONS: _heap, ...apiEnv } = envMap(api);
    for (const [k, v] of Object.entries(apiEnv)) assert.equal(env[k], v, k);
    assert.equal(env.NODE_OPTIONS, undefined);
    assert.equal(env.npm_config_cache, '/tmp/.npm');
    assert.equal(env.npm_config_update_notifier, 'false');
    assert.ok(init.volumeMounts?.some((m) => m.mountPath === '/tmp'));
    assert.equal(init.securityContext?.readOnlyRootFilesystem, true);
    // nothing waits on a Helm hook, so `helm install --wait` cannot deadlock (the test pod aside)
    const hooks = objects.filter((o) => o.metadata.annotations?.['helm.sh/hook']);
    assert.deepEqual(
      hooks.map((o) => `${o.kind}/${o.metadata.annotations?.['helm.sh/hook']}`),
      ['Pod/test'],
    );
    assert.ok(!objects.some((o) => o.kind === 'Job'), 'no migration Job');
  });

  it('runs the in-chart MySQL and Redis by default, on their official images', () => {
    const mysql = find<V1StatefulSet>(objects, 'StatefulSet');
    const c = first(podOf(mysql).containers, 'container');
    assert.equal(c.image, 'mysql:8.4');
    assert.equal(c.imagePullPolicy, 'IfNotPresent');
    assert.deepEqual(
      (c.env ?? []).filter((e) => e.valueFrom).map((e) => `${e.name}=${e.valueFrom?.secretKeyRef?.name}`),
      ['MYSQL_PASSWORD=blog-api', 'MYSQL_ROOT_PASSWORD=blog-api'],
    );
    assert.ok(c.startupProbe && c.readinessProbe && c.livenessProbe);
    assert.equal(c.readinessProbe.initialDelaySeconds, undefined, 'a restarted MySQL is back without waiting');
    const redis = find<V1Deployment>(objects, 'Deployment', named('-redis'));
    assert.equal(first(podOf(redis).containers, 'container').image, 'redis:7.4-alpine');
  });

  it('deletes the MySQL claim with the release unless keepOnUninstall', () => {
    const policy = (values: Record<string, unknown>) =>
      find<V1StatefulSet>(renderChart({ valuesFiles: ['ci/default-values.yaml'], values }), 'StatefulSet').spec
        ?.persistentVolumeClaimRetentionPolicy;
    assert.deepEqual(policy({}), { whenDeleted: 'Delete', whenScaled: 'Retain' });
    assert.equal(policy({ mysql: { persistence: { keepOnUninstall: true } } })?.whenDeleted, 'Retain');
    const claim = find<V1StatefulSet>(objects, 'StatefulSet').spec?.volumeClaimTemplates?.[0];
    assert.equal(claim?.metadata?.labels?.['app.kubernetes.io/instance'], 'blog-api');
  });
});

describe('namespaces', () => {
  for (const file of ['ci/default-values.yaml', 'ci/full-values.yaml']) {
    it(`${file}: every object carries metadata.namespace (the release's)`, () => {
      const objects = renderChart({ valuesFiles: [file], namespace: 'shop' });
      const wrong = objects.filter((o) => o.metadata.namespace !== 'shop').map((o) => `${o.kind}/${o.metadata.name}`);
      assert.deepEqual(wrong, []);
      assert.ok(objects.some((o) => o.kind === 'PrometheusRule') || file.includes('default'));
    });
  }
});

describe('workload variants', () => {
  it('existingSecret: no Secret rendered; API, migrations and MySQL read the given one', () => {
    const objects = renderChart({ values: { existingSecret: 'my-env' } });
    assert.ok(!objects.some((o) => o.kind === 'Secret'));
    const deploy = find<V1Deployment>(objects, 'Deployment', named('blog-api'));
    const mysql = find<V1StatefulSet>(objects, 'StatefulSet');
    const containers = [...podOf(deploy).containers, ...(podOf(deploy).initContainers ?? []), ...podOf(mysql).containers];
    const refs = containers.flatMap((c) => (c.env ?? []).flatMap((e) => (e.valueFrom ? [e.valueFrom.secretKeyRef?.name] : [])));
    assert.deepEqual([...new Set(refs)], ['my-env']);
  });

  it('external database and Redis: both URLs from the Secret, no in-chart MySQL or Redis', () => {
    const objects = renderChart({
      values: {
        jwtSecret: 'fixed-secret-0123456789',
        mysql: { enabled: false },
        redis: { enabled: false },
        externalDatabase: { url: 'mysql://a:b@db.example:3306/c' },
        externalRedis: { url: 'redis://cache.example:6379' },
      },
    });
    assert.ok(!objects.some((o) => o.kind === 'StatefulSet'));
    const secret = find<V1Secret>(objects, 'Secret');
    assert.equal(decode(secret, 'JWT_SECRET'), 'fixed-secret-0123456789');
    assert.equal(decode(secret, 'DATABASE_URL'), 'mysql://a:b@db.example:3306/c');
    assert.equal(decode(secret, 'REDIS_URL'), 'redis://cache.example:6379');
    assert.deepEqual(envMap(first(podOf(find<V1Deployment>(objects, 'Deployment')).containers, 'container')), {
      JWT_SECRET: 'secret:blog-api/JWT_SECRET',
      DATABASE_URL: 'secret:blog-api/DATABASE_URL',
      REDIS_URL: 'secret:blog-api/REDIS_URL',
      NODE_OPTIONS: '--max-semi-space-size=16',
    });
  });

  it('full values: MySQL with the given passwords and a 5Gi claim, no Bitnami images', () => {
    const objects = renderChart({ valuesFiles: ['ci/full-values.yaml'] });
    const mysql = find<V1StatefulSet>(objects, 'StatefulSet');
    assert.equal(mysql.spec?.replicas, 1);
    assert.equal(mysql.spec.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage, '5Gi');
    assert.ok(!/bitnami/i.test(JSON.stringify(objects)), 'no Bitnami images');
    assert.equal(decode(find<V1Secret>(objects, 'Secret'), 'MYSQL_PASSWORD'), 'ci-only-mysql-password');
    // a registry in the name: pulled as the values say
    const api = first(podOf(find<V1Deployment>(objects, 'Deployment', named('blog-api'))).containers, 'container');
    assert.equal(api.image, 'registry.example.com/blog-api:1.2.3');
    assert.equal(api.imagePullPolicy, 'Always');
  });

  it('pull policy: Never for local names, IfNotPresent with a registry, the value when given', () => {
    const policy = (image: Record<string, string>) => {
      const objects = renderChart({ valuesFiles: ['ci/default-values.yaml'], values: { image: { tag: '', ...image } } });
      return first(podOf(find<V1Deployment>(objects, 'Deployment', named('blog-api'))).containers, 'container').imagePullPolicy;
    };
    assert.equal(policy({ repository: 'blog-api', pullPolicy: '' }), 'Never');
    assert.equal(policy({ repository: 'localhost/blog-api', pullPolicy: '' }), 'Never');
    assert.equal(policy({ repository: 'ghcr.io/acme/blog-api', pullPolicy: '' }), 'IfNotPresent');
    assert.equal(policy({ repository: 'acme/blog-api', pullPolicy: '' }), 'IfNotPresent');
    assert.equal(policy({ repository: 'blog-api', pullPolicy: 'Always' }), 'Always');
  });

  it('labels every object with a valid version label whatever the image tag (skaffold: 64 hex digits)', () => {
    const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
    for (const tag of ['a'.repeat(10) + '0123456789abcdef'.repeat(4).slice(10), '1.2.3+build.7', 'v2-']) {
      const objects = renderChart({ valuesFiles: ['ci/default-values.yaml'], values: { image: { tag } } });
      for (const o of objects) {
        const version = o.metadata.labels?.['app.kubernetes.io/version'];
        if (version === undefined) continue;
        assert.ok(
          version.length <= 63 && labelValue.test(version),
          `${o.kind}/${o.metadata.name}: version label "${version}" (tag ${tag})`,
        );
      }
      const api = first(podOf(find<V1Deployment>(objects, 'Deployment', named('blog-api'))).containers, 'container');
      assert.equal(api.image, `blog-api:${tag}`, 'the image keeps the tag as given');
    }
  });

  it('NetworkPolicy: http from anywhere, metrics from monitoring, egress to DB, Redis and DNS', () => {
    // as written in YAML (client-node's type calls `from` `_from`)
    type Rule = Omit<NonNullable<NonNullable<V1NetworkPolicy['spec']>['ingress']>[number], '_from'> & {
      from?: NonNullable<NonNullable<V1NetworkPolicy['spec']>['ingress']>[number]['_from'];
    };
    const np = find<V1NetworkPolicy>(renderChart({ valuesFiles: ['ci/full-values.yaml'] }), 'NetworkPolicy');
    const [http, metrics] = (np.spec?.ingress ?? []) as Rule[];
    assert.equal(http?.from, undefined);
    assert.equal(http?.ports?.[0]?.port, 'http');
    assert.equal(metrics?.ports?.[0]?.port, 'metrics');
    assert.equal(metrics.from?.[0]?.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'], 'monitoring');
    const egressPorts = (np.spec?.egress ?? []).flatMap((r) => (r.ports ?? []).map((p) => p.port));
    for (const port of [53, 3306, 6379]) assert.ok(egressPorts.includes(port), `egress ${port}`);
  });

  it('when nodeOptions is left as it is, then the API gets 16 MiB semi-spaces; emptied, no NODE_OPTIONS at all', () => {
    const apiEnv = (values: Record<string, unknown>) => {
      const d = find<V1Deployment>(
        renderChart({ valuesFiles: ['ci/default-values.yaml'], values }),
        'Deployment',
        named('blog-api'),
      );
      return envMap(first(podOf(d).containers, 'container'));
    };
    assert.equal(apiEnv({}).NODE_OPTIONS, '--max-semi-space-size=16');
    assert.equal(apiEnv({ nodeOptions: '' }).NODE_OPTIONS, undefined);
    assert.equal(apiEnv({ nodeOptions: '--max-semi-space-size=32' }).NODE_OPTIONS, '--max-semi-space-size=32');
  });

  it('Ingress routes only the http port', () => {
    const ing = find<V1Ingress>(renderChart({ valuesFiles: ['ci/full-values.yaml'] }), 'Ingress');
    const ports = (ing.spec?.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend.service?.port?.name));
    assert.deepEqual([...new Set(ports)], ['http']);
  });

  /** The release ConfigMap's data when the defaults are overridden by `values`. */
  const configOf = (values: Record<string, unknown>) =>
    find<V1ConfigMap>(renderChart({ valuesFiles: ['ci/default-values.yaml'], values }), 'ConfigMap', (o) =>
      o.metadata.name.endsWith('blog-api'),
    ).data ?? {};

  it('when ingress.enabled and trustedProxyCount is left null, then the service believes one proxy (the controller); set, as set', () => {
    assert.equal(configOf({}).TRUSTED_PROXY_COUNT, '0');
    assert.equal(configOf({ ingress: { enabled: true } }).TRUSTED_PROXY_COUNT, '1');
    assert.equal(configOf({ ingress: { enabled: true }, config: { trustedProxyCount: 2 } }).TRUSTED_PROXY_COUNT, '2');
    assert.equal(configOf({ config: { trustedProxyCount: 0 }, ingress: { enabled: true } }).TRUSTED_PROXY_COUNT, '0');
  });

  it('when config.corsOrigins is set, then CORS_ORIGINS carries it; left empty, the service keeps its local-only default', () => {
    assert.equal(configOf({}).CORS_ORIGINS, undefined);
    assert.equal(configOf({ config: { corsOrigins: 'https://blog.example.com' } }).CORS_ORIGINS, 'https://blog.example.com');
    assert.equal(configOf({}).CORS_MAX_AGE_SECONDS, '600');
  });

  it("helm test pod: the service's own image runs node's fetch against /readyz and an API read", () => {
    const pod = find<V1Pod>(renderChart({ valuesFiles: ['ci/default-values.yaml'] }), 'Pod');
    assert.equal(pod.metadata?.annotations?.['helm.sh/hook'], 'test');
    const c = first(pod.spec?.containers, 'container');
    assert.equal(c.image, 'blog-api:0.1.0');
    assert.equal(c.imagePullPolicy, 'Never');
    assert.deepEqual(c.command, ['node', '-e']);
    const script = (c.args ?? []).join('\n');
    assert.match(script, /\/readyz/);
    assert.match(script, /\/api\/tags/);
    assert.equal(envMap(c).BASE_URL, 'http://blog-api:80');
  });
});
