// Realistic cluster objects for the doctor's diagnosis tests. No cluster is used: these mirror
// what the API server returns for a blog-api release (labels as charts/blog-api renders them)
// next to kube-prometheus-stack installed with its default values as release
// "kube-prometheus-stack" in namespace "monitoring".
import type {
  ConfigMap,
  Deployment,
  EndpointSlice,
  Job,
  Pod,
  PromAlert,
  Prometheus,
  PrometheusApiView,
  PrometheusRule,
  PromRuleGroup,
  PromTarget,
  ServiceMonitor,
  Service,
  Snapshot,
} from '../../scripts/doctor/types.js';
import { must } from '../helpers/must.js';

export const NS = 'blog';
export const RELEASE = 'blog-api';

const chartLabels = (component: string): Record<string, string> => ({
  'helm.sh/chart': 'blog-api-0.1.0',
  'app.kubernetes.io/name': 'blog-api',
  'app.kubernetes.io/instance': RELEASE,
  'app.kubernetes.io/version': '0.1.0',
  'app.kubernetes.io/managed-by': 'Helm',
  'app.kubernetes.io/part-of': 'blog-api',
  'app.kubernetes.io/component': component,
});
const selectorLabels = {
  'app.kubernetes.io/name': 'blog-api',
  'app.kubernetes.io/instance': RELEASE,
  'app.kubernetes.io/component': 'api',
};

/** kube-prometheus-stack's Prometheus with default values (serviceMonitorSelectorNilUsesHelmValues: true). */
export function kpsPrometheus(): Prometheus {
  return {
    metadata: {
      name: 'kube-prometheus-stack-prometheus',
      namespace: 'monitoring',
      labels: { app: 'kube-prometheus-stack-prometheus', release: 'kube-prometheus-stack' },
    },
    spec: {
      serviceMonitorSelector: { matchLabels: { release: 'kube-prometheus-stack' } },
      serviceMonitorNamespaceSelector: {},
      ruleSelector: { matchLabels: { release: 'kube-prometheus-stack' } },
      ruleNamespaceSelector: {},
    },
  };
}

export function deployment(available = 2, desired = 2): Deployment {
  return {
    metadata: { name: RELEASE, namespace: NS, labels: chartLabels('api') },
    spec: {
      replicas: desired,
      selector: { matchLabels: selectorLabels },
      template: { metadata: { labels: chartLabels('api') }, spec: { containers: [{ name: 'api', image: 'blog-api:0.1.0' }] } },
    },
    status: {
      replicas: desired,
      updatedReplicas: desired,
      readyReplicas: available,
      availableReplicas: available,
      conditions: [
        { type: 'Available', status: available >= desired ? 'True' : 'False', reason: 'MinimumReplicasAvailable' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
      ],
    },
  };
}

export function readyPod(name = `${RELEASE}-7d9f8b6c5-x2x4k`): Pod {
  return {
    metadata: { name, namespace: NS, labels: { ...chartLabels('api'), 'pod-template-hash': '7d9f8b6c5' } },
    spec: { containers: [{ name: 'api', image: 'blog-api:0.1.0' }] },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Initialized', status: 'True' },
        { type: 'ContainersReady', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
      containerStatuses: [
        {
          name: 'api',
          image: 'blog-api:0.1.0',
          imageID: 'sha256:1',
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: new Date('2026-05-01T10:00:00Z') } },
        },
      ],
    },
  };
}

/** A pod whose container exits 1 at start (e.g. DATABASE_URL unreachable) and is backing off. */
export function crashLoopingPod(name = `${RELEASE}-7d9f8b6c5-q8w9e`): Pod {
  const pod = readyPod(name);
  pod.status = {
    phase: 'Running',
    conditions: [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: 'False', reason: 'ContainersNotReady' },
      { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady' },
    ],
    containerStatuses: [
      {
        name: 'api',
        image: 'blog-api:0.1.0',
        imageID: 'sha256:1',
        ready: false,
        started: false,
        restartCount: 6,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container=api' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: new Date(), finishedAt: new Date() } },
      },
    ],
  };
  return pod;
}

export function imagePullPod(): Pod {
  const pod = crashLoopingPod(`${RELEASE}-7d9f8b6c5-pull1`);
  must(pod.status, 'the pod status').containerStatuses = [
    {
      name: 'api',
      image: 'blog-api:0.1.0',
      imageID: '',
      ready: false,
      restartCount: 0,
      state: {
        waiting: {
          reason: 'ErrImagePull',
          message: 'failed to pull and unpack image "docker.io/library/blog-api:0.1.0": pull access denied',
        },
      },
    },
  ];
  return pod;
}

export function service(): Service {
  return {
    metadata: { name: RELEASE, namespace: NS, labels: chartLabels('api') },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels,
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: 'metrics', port: 9464, targetPort: 'metrics', protocol: 'TCP' },
      ],
    },
  };
}

export function endpointSlice(ready: number, notReady = 0): EndpointSlice {
  const ep = (i: number, isReady: boolean) => ({
    addresses: [`10.244.0.${10 + i}`],
    conditions: { ready: isReady, serving: isReady, terminating: false },
    targetRef: { kind: 'Pod', name: `${RELEASE}-pod-${i}`, namespace: NS },
  });
  return {
    addressType: 'IPv4',
    metadata: { name: `${RELEASE}-abcde`, namespace: NS, labels: { 'kubernetes.io/service-name': RELEASE } },
    endpoints: [
      ...Array.from({ length: ready }, (_, i) => ep(i, true)),
      ...Array.from({ length: notReady }, (_, i) => ep(ready + i, false)),
    ],
    ports: [
      { name: 'http', port: 3000, protocol: 'TCP' },
      { name: 'metrics', port: 9464, protocol: 'TCP' },
    ],
  };
}

export function migrationJob(outcome: 'complete' | 'failed' | 'running'): Job {
  const conditions = {
    complete: [{ type: 'Complete', status: 'True' }],
    failed: [
      { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
    ],
    running: [],
  }[outcome];
  return {
    metadata: {
      name: `${RELEASE}-migrate`,
      namespace: NS,
      labels: chartLabels('migrations'),
      creationTimestamp: new Date('2026-05-01T09:59:00Z'),
    },
    spec: { backoffLimit: 2, template: { spec: { containers: [{ name: 'migrate', command: ['npm', 'run', 'migrate'] }] } } },
    status: { active: outcome === 'running' ? 1 : 0, failed: outcome === 'failed' ? 3 : 0, conditions },
  };
}

export function failedMigrationPod(): Pod {
  return {
    metadata: {
      name: `${RELEASE}-migrate-5kq2z`,
      namespace: NS,
      labels: { ...chartLabels('migrations'), 'job-name': `${RELEASE}-migrate` },
    },
    status: {
      phase: 'Failed',
      containerStatuses: [
        {
          name: 'migrate',
          image: 'blog-api:0.1.0',
          imageID: 'sha256:1',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 1, reason: 'Error', message: "Access denied for user 'blog'@'10.244.0.7'\n" } },
        },
      ],
    },
  };
}

/** The chart's ServiceMonitor with its default labels (release: kube-prometheus-stack). */
export function serviceMonitor(extraLabels: Record<string, string> = { release: 'kube-prometheus-stack' }): ServiceMonitor {
  return {
    metadata: { name: RELEASE, namespace: NS, labels: { ...chartLabels('api'), ...extraLabels } },
    spec: {
      namespaceSelector: { matchNames: [NS] },
      selector: { matchLabels: selectorLabels },
      endpoints: [{ port: 'metrics', path: '/metrics' }],
    },
  };
}

export function prometheusRule(extraLabels: Record<string, string> = { release: 'kube-prometheus-stack' }): PrometheusRule {
  return {
    metadata: { name: RELEASE, namespace: NS, uid: '4f1c2a9e', labels: { ...chartLabels('api'), ...extraLabels } },
    spec: {
      groups: [
        {
          name: 'blog-api-slo-recording',
          rules: [{ record: 'slo:sli_error:ratio_rate5m' }, { record: 'slo:sli_error:ratio_rate1h' }],
        },
        {
          name: 'blog-api-slo-alerts',
          rules: [{ alert: 'BlogApiAvailabilityBudgetBurn' }, { alert: 'BlogApiLatencyBudgetBurn' }],
        },
        { name: 'blog-api-causes', rules: [{ alert: 'BlogApiDbPoolSaturated' }, { alert: 'BlogApiCacheHitRatioLow' }] },
      ],
    },
  };
}

export function dashboardConfigMap(labels: Record<string, string> = { grafana_dashboard: '1' }, namespace = NS): ConfigMap {
  return {
    metadata: { name: `${RELEASE}-dashboard-slo`, namespace, labels: { ...chartLabels('api'), ...labels } },
    data: { 'slo.json': '{"title":"Blog API / SLO"}' },
  };
}

/** kube-prometheus-stack's Grafana Deployment: the grafana chart's dashboard sidecar and its env. */
export function kpsGrafanaDeployment(
  env: Record<string, string> = {
    METHOD: 'WATCH',
    LABEL: 'grafana_dashboard',
    LABEL_VALUE: '1',
    FOLDER: '/tmp/dashboards',
    RESOURCE: 'both',
    NAMESPACE: 'ALL',
  },
): Deployment {
  return {
    metadata: { name: 'kube-prometheus-stack-grafana', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'grafana' } },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' } },
      template: {
        spec: {
          containers: [
            {
              name: 'grafana-sc-dashboard',
              image: 'quay.io/kiwigrid/k8s-sidecar:1.30.0',
              env: Object.entries(env).map(([name, value]) => ({ name, value })),
            },
            {
              name: 'grafana-sc-datasources',
              image: 'quay.io/kiwigrid/k8s-sidecar:1.30.0',
              env: [
                { name: 'LABEL', value: 'grafana_datasource' },
                { name: 'FOLDER', value: '/etc/grafana/provisioning/datasources' },
              ],
            },
            { name: 'grafana', image: 'docker.io/grafana/grafana:12.0.1' },
          ],
        },
      },
    },
  };
}

/** A Prometheus API view with all three answers (targets, rules, alerts) present, as the fixtures build it. */
export type AnsweredApiView = PrometheusApiView & { targets: PromTarget[]; ruleGroups: PromRuleGroup[]; alerts: PromAlert[] };

/** Prometheus API answers for a healthy release: two targets up, our groups loaded, nothing firing. */
export function prometheusApi(): AnsweredApiView {
  const file = `/etc/prometheus/rules/prometheus-kube-prometheus-stack-prometheus-rulefiles-0/${NS}-${RELEASE}-4f1c2a9e.yaml`;
  const target = (ip: string) => ({
    labels: {
      job: RELEASE,
      namespace: NS,
      service: RELEASE,
      pod: `${RELEASE}-${ip}`,
      container: 'api',
      endpoint: 'metrics',
      instance: `${ip}:9464`,
    },
    scrapePool: `serviceMonitor/${NS}/${RELEASE}/0`,
    scrapeUrl: `http://${ip}:9464/metrics`,
    health: 'up' as const,
    lastError: '',
  });
  return {
    prometheus: 'monitoring/kube-prometheus-stack-prometheus',
    targets: [
      target('10.244.0.10'),
      target('10.244.0.11'),
      {
        labels: { job: 'apiserver' },
        scrapePool: 'serviceMonitor/default/kube-prometheus-stack-apiserver/0',
        scrapeUrl: 'https://172.18.0.2:6443/metrics',
        health: 'up',
        lastError: '',
      },
    ],
    ruleGroups: [
      { name: 'blog-api-slo-recording', file, rules: [{ name: 'slo:sli_error:ratio_rate5m', type: 'recording', health: 'ok' }] },
      { name: 'blog-api-slo-alerts', file, rules: [{ name: 'BlogApiAvailabilityBudgetBurn', type: 'alerting', health: 'ok' }] },
      { name: 'blog-api-causes', file, rules: [{ name: 'BlogApiDbPoolSaturated', type: 'alerting', health: 'ok' }] },
      {
        name: 'kubernetes-apps',
        file: '/etc/prometheus/rules/prometheus-kube-prometheus-stack-prometheus-rulefiles-0/monitoring-kube-prometheus-stack-kubernetes-apps-1.yaml',
        rules: [],
      },
    ],
    alerts: [{ labels: { alertname: 'Watchdog', severity: 'none' }, annotations: {}, state: 'firing' }],
  };
}

/** A healthy release as the doctor's kube layer would read it. */
export function healthySnapshot(): Snapshot {
  return {
    release: RELEASE,
    namespace: NS,
    namespaces: { [NS]: { 'kubernetes.io/metadata.name': NS } },
    deployment: deployment(),
    pods: [readyPod(), readyPod(`${RELEASE}-7d9f8b6c5-z7v6b`)],
    service: service(),
    endpointSlices: [endpointSlice(2)],
    migrationJobs: [migrationJob('complete')],
    migrationPods: [],
    serviceMonitors: [serviceMonitor()],
    prometheusRules: [prometheusRule()],
    prometheuses: [kpsPrometheus()],
    dashboards: [dashboardConfigMap()],
    grafanaSidecars: [
      {
        grafana: 'monitoring/kube-prometheus-stack-grafana',
        namespace: 'monitoring',
        label: 'grafana_dashboard',
        labelValue: '1',
        searchNamespaces: 'ALL',
        resource: 'both',
      },
    ],
    prometheusApi: prometheusApi(),
  };
}

/** A healthy snapshot and its Prometheus API view, for tests that edit the API's answers. */
export function snapshotWithApi(): { s: Snapshot; api: AnsweredApiView } {
  const api = prometheusApi();
  return { s: { ...healthySnapshot(), prometheusApi: api }, api };
}

/** The chart's migrate init container's status: done (exit 0), running, or failed and backing off. */
export function withMigrate(pod: Pod, outcome: 'done' | 'running' | 'failed' | 'never-pull'): Pod {
  const status = must(pod.status, 'the pod status');
  const base = { name: 'migrate', image: 'blog-api:0.1.0', imageID: 'sha256:1', ready: outcome === 'done', restartCount: 0 };
  const at = new Date('2026-05-01T10:00:00Z');
  if (outcome === 'done') {
    status.initContainerStatuses = [
      { ...base, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at } } },
    ];
  } else if (outcome === 'running') {
    status.initContainerStatuses = [{ ...base, state: { running: { startedAt: at } } }];
  } else if (outcome === 'never-pull') {
    status.initContainerStatuses = [
      {
        ...base,
        image: 'localhost/blog-api:missing',
        state: {
          waiting: {
            reason: 'ErrImageNeverPull',
            message: 'Container image "localhost/blog-api:missing" is not present with pull policy of Never',
          },
        },
      },
    ];
  } else {
    status.initContainerStatuses = [
      {
        ...base,
        restartCount: 3,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=migrate' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: at, finishedAt: at } },
      },
    ];
    status.conditions = [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized' },
      { type: 'Ready', status: 'False', reason: 'ContainersNotReady' },
    ];
    status.containerStatuses = [
      {
        name: 'api',
        image: 'blog-api:0.1.0',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { waiting: { reason: 'PodInitializing' } },
      },
    ];
  }
  return pod;
}

/** What the migrate container logs when MySQL refuses its credentials (pino JSON, as the service logs). */
export const ACCESS_DENIED_LOG = [
  '> blog-api@0.1.0 migrate',
  '> node dist/app/db/migrate-cli.js --wait-seconds=300',
  JSON.stringify({
    level: 60,
    time: 1777629600000,
    msg: 'migration failed',
    err: {
      type: 'Error',
      message: "Access denied for user 'blog'@'10.244.0.31' (using password: YES)",
      code: 'ER_ACCESS_DENIED_ERROR',
    },
  }),
].join('\n');
