/**
 * The monitoring path for real (issue 11), on the lab with its kube-prometheus-stack look-alike
 * (scripts/lab/monitoring.sh: prometheus-operator, Prometheus 3 and Alertmanager from their custom
 * resources with the stack's selectors, kube-state-metrics, the kubelet's cAdvisor):
 *   - `helm install` of charts/blog-api with its DEFAULT monitoring values is picked up: the
 *     operator-managed Prometheus scrapes the release's targets and loads its rule groups;
 *   - `npm run doctor` is green on the healthy release;
 *   - every query of every dashboard (read from the ConfigMaps the release installed) returns data
 *     after a short load, the cAdvisor and kube-state-metrics panels included, and the ConfigMaps
 *     meet the Grafana sidecar's contract;
 *   - the doctor names the cause and the fix of five injected faults;
 *   - a database outage under load pages (BlogApiAvailabilityBudgetBurn, critical) through
 *     Alertmanager to a webhook receiver, routed by the chart's own AlertmanagerConfig, and the
 *     resolved notification follows the database's return.
 * Each step prints its figures (FIGURE lines). Needs the lab up and the image imported.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { whySidecarMisses } from '../../scripts/doctor/checks/grafana.js';
import { grafanaSidecars } from '../../scripts/doctor/grafana-sidecar.js';
import type { ConfigMap, Deployment } from '../../scripts/doctor/types.js';
import {
  CHART,
  LAB_VALUES,
  type PodInfo,
  clusterIP,
  figure,
  getJson,
  getJsonAsync,
  helm,
  helmAsync,
  isReady,
  kubectl,
  kubectlAsync,
  podsAsync,
  seconds,
  waitFor,
} from './lab.js';
import {
  type DoctorCheck,
  MONITORING_NS,
  type Notification,
  Prometheus,
  STACK,
  WebhookReceiver,
  alertmanagerStatus,
  doctor,
  ensureStack,
} from './monitor.js';
import { Traffic, summary } from './traffic.js';

const NS = 'blog-api-mon';
const RELEASE = 'blog-api';
const FULLNAME = 'blog-api';
const API = `app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=api`;
const APP_IMAGE = 'localhost/blog-api:lab';
/** Grafana's $__rate_interval for a 30 s scrape interval: max(4 x 30 s, ...) = 2m. */
const RATE_INTERVAL = '2m';
/** The per-client rate limits are lifted: every request of the load comes from this machine. */
const NO_RATE_LIMITS = 'config.rateLimitAuthPerMinute=0,config.rateLimitWritesPerMinute=0';

let prom: Prometheus;
let base = '';

interface Dashboard {
  uid: string;
  title: string;
  panels: { title: string; targets: { expr: string; refId: string }[] }[];
}

function dashboardConfigMaps(): ConfigMap[] {
  const list = getJson(['-n', NS, 'get', 'configmap', '-l', `app.kubernetes.io/instance=${RELEASE}`]) as { items: ConfigMap[] };
  return list.items.filter((cm) => Object.keys(cm.data ?? {}).some((k) => k.endsWith('.json')));
}

/** The query as Grafana sends it for this release: its variables and $__rate_interval filled in. */
function grafanaQuery(expr: string): string {
  return expr
    .replace(/\$__rate_interval\b/g, RATE_INTERVAL)
    .replace(/\$namespace\b/g, NS)
    .replace(/\$job\b/g, FULLNAME);
}

const check = (checks: DoctorCheck[], id: string): DoctorCheck => {
  const c = checks.find((x) => x.id === id);
  assert.ok(c, `the doctor has no check ${id}: ${checks.map((x) => x.id).join(', ')}`);
  return c;
};

async function readyApiPods(n = 2): Promise<PodInfo[] | undefined> {
  const all = await podsAsync(NS, API);
  const live = all.filter((p) => !p.metadata.deletionTimestamp);
  return live.length === n && live.every(isReady) ? live : undefined;
}

describe('the monitoring path on the lab', { timeout: 2_400_000 }, () => {
  before(() => {
    ensureStack();
    prom = new Prometheus();
    helm(['uninstall', RELEASE, '-n', NS, '--wait'], { allowFailure: true });
    kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=true', '--timeout=120s']);
    kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }) });
  });
  after(() => {
    helm(['uninstall', RELEASE, '-n', NS, '--wait'], { allowFailure: true });
    kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false'], { allowFailure: true });
  });

  it('the stack runs Prometheus 3 and Alertmanager from their custom resources, with the stack selectors', async () => {
    const spec = (getJson(['-n', MONITORING_NS, 'get', 'prometheus', `${STACK}-prometheus`]) as { spec: Record<string, unknown> })
      .spec;
    assert.deepEqual(spec.serviceMonitorSelector, { matchLabels: { release: STACK } });
    assert.deepEqual(spec.ruleSelector, { matchLabels: { release: STACK } });
    const version = await waitFor('Prometheus', 120_000, () => prom.version());
    const am = await waitFor('Alertmanager', 120_000, () => alertmanagerStatus());
    assert.match(version, /^3\./);
    figure(
      `monitoring stack: Prometheus ${version} and Alertmanager ${am.versionInfo.version} (operator-managed StatefulSets), ` +
        `selectors release=${STACK}; Prometheus at ${prom.base}`,
    );
  });

  it('picks up helm install with the DEFAULT monitoring values: the target is up and the rule groups are loaded', async () => {
    const started = Date.now();
    helm(['install', RELEASE, CHART, '-n', NS, '-f', LAB_VALUES, '--set', NO_RATE_LIMITS, '--wait', '--timeout', '10m']);
    const installed = Date.now();
    const sm = getJson(['-n', NS, 'get', 'servicemonitor', FULLNAME]) as { metadata: { labels: Record<string, string> } };
    assert.equal(sm.metadata.labels.release, STACK, 'the chart labels its ServiceMonitor for the stack by default');
    const targets = await waitFor(
      'both API targets up in the operator-managed Prometheus',
      240_000,
      async () => {
        const ours = (await prom.targets()).filter((t) => t.labels.job === FULLNAME && t.labels.namespace === NS);
        return ours.length === 2 && ours.every((t) => t.health === 'up') ? ours : undefined;
      },
      2000,
    );
    const targetsAt = Date.now();
    const rule = getJson(['-n', NS, 'get', 'prometheusrule', FULLNAME]) as { spec: { groups: { name: string }[] } };
    const wanted = rule.spec.groups.map((g) => g.name).sort();
    const loaded = await waitFor(
      "the chart's rule groups loaded",
      240_000,
      async () => {
        const groups = (await prom.ruleGroups()).filter((g) => g.file.includes(`/${NS}-${FULLNAME}-`));
        const names = groups.map((g) => g.name).sort();
        return JSON.stringify(names) === JSON.stringify(wanted) ? groups : undefined;
      },
      2000,
    );
    const rulesAt = Date.now();
    const rules = loaded.flatMap((g) => g.rules);
    assert.ok(
      rules.every((r) => r.health !== 'err'),
      JSON.stringify(rules.filter((r) => r.health === 'err')),
    );
    figure(
      `helm install (lab-values, default monitoring values) ready in ${seconds(installed - started)}; ` +
        `${targets.length} targets (${targets.map((t) => t.scrapeUrl).join(', ')}) up ${seconds(targetsAt - installed)} later; ` +
        `${loaded.length} rule groups (${rules.length} rules: ${rules.filter((r) => r.type === 'alerting').length} alerting) loaded ${seconds(rulesAt - installed)} after the install`,
    );
  });

  it('npm run doctor: every check green on the healthy release', async () => {
    base = `http://${clusterIP(NS, FULLNAME)}`;
    const { status, checks, ms } = await doctor(RELEASE, NS);
    const notGreen = checks.filter((c) => c.status !== 'pass');
    assert.deepEqual(
      notGreen.map((c) => `${c.status} ${c.id}: ${c.detail}`),
      [],
    );
    assert.equal(status, 0);
    figure(
      `doctor on the healthy release: ${checks.length}/${checks.length} checks pass in ${seconds(ms)} (${checks.map((c) => c.id).join(', ')})`,
    );
  });

  it('every dashboard query returns data after a short load (cAdvisor and kube-state-metrics panels included)', async () => {
    const dashboards = dashboardConfigMaps().flatMap((cm) =>
      Object.values(cm.data ?? {}).map((json) => JSON.parse(json) as Dashboard),
    );
    assert.equal(dashboards.length, 5);
    const queries = dashboards.flatMap((d) =>
      d.panels.flatMap((p) =>
        p.targets.map((t) => ({ where: `${d.title} / ${p.title} / ${t.refId}`, expr: grafanaQuery(t.expr) })),
      ),
    );
    const traffic = new Traffic(base);
    await traffic.setup();
    traffic.start();
    const started = Date.now();
    let empty: string[] = [];
    let nan: string[] = [];
    try {
      await waitFor(
        'every dashboard query to return data',
        300_000,
        async () => {
          const results = await Promise.all(queries.map(async (q) => ({ q, result: await prom.query(q.expr) })));
          empty = results.filter((r) => r.result.length === 0).map((r) => r.q.where);
          nan = results.filter((r) => r.result.length > 0 && r.result.every((s) => s.value[1] === 'NaN')).map((r) => r.q.where);
          return empty.length === 0 ? true : undefined;
        },
        10_000,
      );
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}; without data: ${empty.join('; ')}`, { cause: err });
    } finally {
      const report = await traffic.stop();
      figure(`dashboard load: ${summary(report)}`);
    }
    const runtime = queries.filter((q) => /container_|kube_/.test(q.expr)).length;
    figure(
      `dashboards: all ${queries.length} queries of ${dashboards.reduce((n, d) => n + d.panels.length, 0)} panels in ${dashboards.length} dashboards ` +
        `return data ${seconds(Date.now() - started)} after the load started (${runtime} of them cAdvisor/kube-state-metrics); ` +
        `only NaN (a ratio over no lookups yet): ${nan.length ? nan.join('; ') : 'none'}`,
    );
  });

  it("the dashboard ConfigMaps meet the Grafana sidecar's contract (the stack's sidecar settings)", () => {
    const grafana = getJson(['-n', MONITORING_NS, 'get', 'deployment', `${STACK}-grafana`]) as Deployment;
    const [sidecar] = grafanaSidecars([grafana]);
    assert.ok(sidecar, 'the stack carries a dashboard sidecar');
    const cms = dashboardConfigMaps();
    assert.deepEqual(
      cms.map((cm) => whySidecarMisses(sidecar, cm)).filter((w) => w),
      [],
    );
    const files = cms.flatMap((cm) => Object.keys(cm.data ?? {}));
    const uids = cms.flatMap((cm) => Object.values(cm.data ?? {}).map((json) => (JSON.parse(json) as Dashboard).uid));
    assert.deepEqual(files.sort(), uids.map((u) => `${u}.json`).sort());
    figure(
      `sidecar contract (${sidecar.label}=${sidecar.labelValue ?? '*'}, namespaces ${String(sidecar.searchNamespaces)}): ` +
        `${cms.length} ConfigMaps, files ${files.join(', ')}`,
    );
  });

  it('npm run doctor names the cause and the fix of each injected fault', async () => {
    // The API Service's pod selector, by the component label ("api" is the chart's).
    const selectComponent = async (component: string) => {
      await kubectlAsync([
        '-n',
        NS,
        'patch',
        'service',
        FULLNAME,
        '-p',
        JSON.stringify({ spec: { selector: { 'app.kubernetes.io/component': component } } }),
      ]);
    };
    const faults: {
      name: string;
      inject: () => Promise<void>;
      expect: { id: string; detail: RegExp; fix: RegExp };
      undo: () => Promise<void>;
    }[] = [
      {
        name: "the ServiceMonitor's release label does not match the Prometheus selector",
        inject: async () => {
          await kubectlAsync(['-n', NS, 'label', 'servicemonitor', FULLNAME, 'release=prometheus', '--overwrite']);
        },
        expect: {
          id: 'servicemonitor-selected',
          detail: /selects ServiceMonitors with release=kube-prometheus-stack/,
          fix: /serviceMonitor\.labels\.release=kube-prometheus-stack/,
        },
        undo: async () => {
          await kubectlAsync(['-n', NS, 'label', 'servicemonitor', FULLNAME, `release=${STACK}`, '--overwrite']);
        },
      },
      {
        name: 'an image the node does not have',
        inject: async () => {
          await kubectlAsync([
            '-n',
            NS,
            'set',
            'image',
            `deployment/${FULLNAME}`,
            'api=localhost/blog-api:not-on-the-node',
            'migrate=localhost/blog-api:not-on-the-node',
          ]);
          await waitFor('a pod without its image', 120_000, async () =>
            (await podsAsync(NS, API)).some((p) => JSON.stringify(p.status).includes('ErrImageNeverPull')) ? true : undefined,
          );
        },
        expect: {
          id: 'pods-ready',
          detail: /the node has no image localhost\/blog-api:not-on-the-node/,
          fix: /npm run lab:image/,
        },
        undo: async () => {
          await kubectlAsync(['-n', NS, 'rollout', 'undo', `deployment/${FULLNAME}`]);
          await waitFor('the rollback', 180_000, () => readyApiPods());
        },
      },
      {
        name: 'a failed migration (the database refuses the credentials)',
        inject: async () => {
          const patch = [
            {
              op: 'add',
              path: '/spec/template/spec/initContainers/0/env/-',
              value: { name: 'DATABASE_URL', value: `mysql://blog:not-the-password@${FULLNAME}-mysql:3306/blog` },
            },
          ];
          await kubectlAsync(['-n', NS, 'patch', 'deployment', FULLNAME, '--type=json', '-p', JSON.stringify(patch)]);
          await waitFor('the migrate container to fail', 180_000, async () =>
            (await podsAsync(NS, API)).some((p) => JSON.stringify(p.status).includes('"exitCode":1')) ? true : undefined,
          );
        },
        expect: {
          id: 'migration-job',
          // the service's log serializer drops sqlMessage (it can carry bound values): the code names it
          detail: /init container migrate failed .*ER_ACCESS_DENIED_ERROR/,
          fix: /refuses the credentials/,
        },
        undo: async () => {
          await kubectlAsync(['-n', NS, 'rollout', 'undo', `deployment/${FULLNAME}`]);
          await waitFor('the rollback', 180_000, () => readyApiPods());
        },
      },
      {
        name: 'dashboards without the sidecar label',
        inject: async () => {
          await kubectlAsync(['-n', NS, 'label', 'configmap', '-l', 'grafana_dashboard=1', 'grafana_dashboard-']);
        },
        expect: {
          id: 'grafana-dashboards',
          detail: /looks for label grafana_dashboard=1, absent/,
          fix: /dashboards\.labels\.grafana_dashboard=1/,
        },
        undo: async () => {
          const names = dashboardConfigMaps().map((cm) => cm.metadata?.name ?? '');
          await kubectlAsync(['-n', NS, 'label', 'configmap', ...names, 'grafana_dashboard=1', '--overwrite']);
        },
      },
      {
        name: 'a Service selecting no ready pods',
        inject: () => selectComponent('apu'),
        expect: {
          id: 'service-endpoints',
          detail: /selects .*"app.kubernetes.io\/component":"apu".* but no API pod carries those labels/,
          fix: /selector/,
        },
        undo: () => selectComponent('api'),
      },
    ];
    const problems: string[] = [];
    for (const f of faults) {
      await f.inject();
      try {
        const result = await waitFor(
          `the doctor to name: ${f.name}`,
          120_000,
          async () => {
            const r = await doctor(RELEASE, NS);
            const c = r.checks.find((x) => x.id === f.expect.id);
            return c?.status === 'fail' && f.expect.detail.test(c.detail) && f.expect.fix.test(c.fix ?? '')
              ? { r, c }
              : undefined;
          },
          3000,
        ).catch(async (err: unknown) => {
          const r = await doctor(RELEASE, NS);
          problems.push(
            `${f.name}: ${err instanceof Error ? err.message : String(err)}; it said ${JSON.stringify(r.checks.filter((c) => c.status !== 'pass'))}`,
          );
          return undefined;
        });
        if (result) {
          assert.equal(result.r.status, 1, 'a failed check exits 1');
          figure(
            `doctor, fault "${f.name}": FAIL ${result.c.title}: ${result.c.detail} | fix: ${result.c.fix ?? ''} (${seconds(result.r.ms)})`,
          );
        }
      } finally {
        await f.undo();
      }
    }
    assert.deepEqual(problems, []);
    const healthy = await waitFor(
      'the doctor green again',
      180_000,
      async () => {
        const r = await doctor(RELEASE, NS);
        return r.checks.every((c) => c.status === 'pass' || c.id === 'alerts') ? r : undefined;
      },
      3000,
    );
    figure(
      `doctor after the faults were undone: ${healthy.checks.filter((c) => c.status === 'pass').length}/${healthy.checks.length} pass`,
    );
    check(healthy.checks, 'servicemonitor-selected');
  });

  it("pages through Alertmanager when the database goes away under load (the chart's AlertmanagerConfig), and resolves when it returns", async () => {
    const receiver = new WebhookReceiver(NS, APP_IMAGE);
    receiver.deploy();
    await receiver.ready();
    // Test-only values: short burn-rate windows (the shipped expressions, shorter windows), a 10 s
    // scrape, fast Alertmanager grouping. The readiness probe tolerates the outage here: with the
    // default (unready after 30 s without the database) the Service stops routing to the pods and
    // the service's own SLI sees no request at all (see scripts/lab/README.md).
    const started = Date.now();
    await helmAsync([
      'upgrade',
      RELEASE,
      CHART,
      '-n',
      NS,
      '--reuse-values',
      '--set',
      `alertmanagerConfig.enabled=true,alertmanagerConfig.receiver.webhook.url=${receiver.url}`,
      '--set',
      'alertmanagerConfig.route.groupWait=5s,alertmanagerConfig.route.groupInterval=20s,alertmanagerConfig.route.repeatInterval=1h',
      '--set-json',
      'slo.burnRates={"page":[{"long":"2m","short":"1m","factor":14.4}],"ticket":[{"long":"10m","short":"5m","factor":3}]}',
      '--set',
      'serviceMonitor.interval=10s,serviceMonitor.scrapeTimeout=5s,probes.readiness.failureThreshold=200',
      '--wait',
      '--timeout',
      '5m',
    ]);
    const amc = `${NS}/${FULLNAME}/${FULLNAME}`;
    await waitFor(
      'Alertmanager to load the AlertmanagerConfig',
      240_000,
      async () => ((await alertmanagerStatus()).config.original.includes(amc) ? true : undefined),
      2000,
    );
    const routedAt = Date.now();
    await waitFor(
      'Prometheus to load the short windows',
      240_000,
      async () =>
        (await prom.ruleGroups()).some((g) =>
          g.rules.some((r) => r.name === 'BlogApiAvailabilityBudgetBurn' && r.query.includes('ratio_rate2m')),
        )
          ? true
          : undefined,
      2000,
    );
    figure(
      `AlertmanagerConfig ${amc} merged into the stack's Alertmanager ${seconds(routedAt - started)} after helm upgrade began; short windows loaded ${seconds(Date.now() - started)} after`,
    );

    const traffic = new Traffic(base);
    await traffic.setup();
    traffic.start();
    let firing: Notification | undefined;
    let resolved: Notification | undefined;
    let downAt = 0;
    let backAt = 0;
    try {
      await sleep(60_000); // a healthy minute: the windows fill with good requests
      downAt = Date.now();
      await kubectlAsync(['-n', NS, 'scale', 'statefulset', `${FULLNAME}-mysql`, '--replicas=0']);
      const isPage = (n: Notification, status: string) =>
        n.body.alerts.some(
          (a) =>
            a.status === status &&
            a.labels.alertname === 'BlogApiAvailabilityBudgetBurn' &&
            a.labels.severity === 'critical' &&
            a.labels.namespace === NS,
        );
      firing = await waitFor(
        'the page at the webhook receiver',
        420_000,
        async () => (await receiver.notifications())?.find((n) => n.receivedAt >= downAt && isPage(n, 'firing')),
        2000,
      );
      const firedAt = firing.receivedAt;
      const alert = firing.body.alerts.find((a) => a.labels.alertname === 'BlogApiAvailabilityBudgetBurn');
      for (const key of ['summary', 'description', 'runbook_url', 'dashboard'])
        assert.ok(alert?.annotations[key], `annotation ${key}`);
      figure(
        `outage: MySQL scaled to 0 under load; BlogApiAvailabilityBudgetBurn{severity="critical"} reached the webhook ${seconds(firedAt - downAt)} later ` +
          `(receiver ${firing.body.receiver}; summary "${alert?.annotations.summary}"; runbook ${alert?.annotations.runbook_url}; dashboard ${alert?.annotations.dashboard})`,
      );
      backAt = Date.now();
      await kubectlAsync(['-n', NS, 'scale', 'statefulset', `${FULLNAME}-mysql`, '--replicas=1']);
      await waitFor('MySQL back', 240_000, async () => {
        const p = (await getJsonAsync(['-n', NS, 'get', 'pod', `${FULLNAME}-mysql-0`])) as PodInfo;
        return isReady(p) ? true : undefined;
      });
      const mysqlReady = Date.now();
      resolved = await waitFor(
        'the resolved notification',
        600_000,
        async () => (await receiver.notifications())?.find((n) => n.receivedAt >= backAt && isPage(n, 'resolved')),
        2000,
      );
      figure(
        `outage over: MySQL scaled back to 1, ready ${seconds(mysqlReady - backAt)} later; the resolved notification arrived ${seconds(resolved.receivedAt - mysqlReady)} after MySQL was ready ` +
          `(the outage lasted ${seconds(backAt - downAt)} until the scale-up)`,
      );
    } finally {
      const report = await traffic.stop();
      figure(`outage load: ${summary(report)}`);
      await kubectlAsync(['-n', NS, 'scale', 'statefulset', `${FULLNAME}-mysql`, '--replicas=1'], { allowFailure: true });
    }
  });
});
