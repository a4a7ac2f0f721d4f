/**
 * Helpers of the monitoring cluster tests: the lab's kube-prometheus-stack look-alike
 * (scripts/lab/monitoring.sh) reached from this machine through its Services' ClusterIPs
 * (kube-proxy's NAT; nothing leaves the machine), a webhook receiver pod for Alertmanager's
 * notifications, and `npm run doctor` run as a user runs it.
 */
import { KUBECONFIG, KUBECTL, clusterIP, http, kubectl, run, runAsync, waitFor } from './lab.js';

export const MONITORING_NS = 'monitoring';
export const STACK = 'kube-prometheus-stack';

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}
export interface PromTarget {
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  health: string;
  lastError: string;
}
export interface PromRuleGroup {
  name: string;
  file: string;
  rules: { name: string; type: string; query: string; health: string; state?: string }[];
}

/** The stack's Prometheus (v1 HTTP API) at its Service's ClusterIP. */
export class Prometheus {
  readonly base: string;
  constructor() {
    this.base = `http://${clusterIP(MONITORING_NS, `${STACK}-prometheus`)}:9090`;
  }
  private async get<T>(path: string): Promise<T> {
    const r = await http(`${this.base}/api/v1/${path}`, { timeoutMs: 15_000 });
    const body = r.body as { status?: string; data?: T; error?: string };
    if (r.status !== 200 || body.status !== 'success' || body.data === undefined) {
      throw new Error(`GET ${path}: ${r.status} ${body.error ?? JSON.stringify(r.body).slice(0, 200)}`);
    }
    return body.data;
  }
  async query(expr: string): Promise<PromSample[]> {
    const data = await this.get<{ resultType: string; result: PromSample[] }>(`query?query=${encodeURIComponent(expr)}`);
    return data.result;
  }
  async targets(): Promise<PromTarget[]> {
    return (await this.get<{ activeTargets: PromTarget[] }>('targets?state=active')).activeTargets;
  }
  async ruleGroups(): Promise<PromRuleGroup[]> {
    return (await this.get<{ groups: PromRuleGroup[] }>('rules')).groups;
  }
  async alerts(): Promise<{ labels: Record<string, string>; state: string; activeAt?: string }[]> {
    return (await this.get<{ alerts: { labels: Record<string, string>; state: string; activeAt?: string }[] }>('alerts')).alerts;
  }
  async version(): Promise<string> {
    return (await this.get<{ version: string }>('status/buildinfo')).version;
  }
}

/** The stack's Alertmanager (v2 API): its running configuration and version. */
export async function alertmanagerStatus(): Promise<{ config: { original: string }; versionInfo: { version: string } }> {
  const base = `http://${clusterIP(MONITORING_NS, `${STACK}-alertmanager`)}:9093`;
  const r = await http(`${base}/api/v2/status`, { timeoutMs: 15_000 });
  if (r.status !== 200) throw new Error(`Alertmanager /api/v2/status answered ${r.status}`);
  return r.body as { config: { original: string }; versionInfo: { version: string } };
}

/** One webhook notification as Alertmanager posts it (the fields the tests read). */
export interface Notification {
  receivedAt: number;
  body: {
    receiver: string;
    status: 'firing' | 'resolved';
    alerts: {
      status: string;
      labels: Record<string, string>;
      annotations: Record<string, string>;
      startsAt: string;
      endsAt: string;
    }[];
  };
}

/**
 * A webhook receiver in the lab: a pod of the project's image running a few lines of Node that
 * keep every POST and hand them back on GET /notifications. Alertmanager reaches it by its
 * Service's DNS name; this machine reads it through the ClusterIP.
 */
export class WebhookReceiver {
  readonly name = 'alert-receiver';
  constructor(
    readonly namespace: string,
    readonly image: string,
  ) {}

  get url(): string {
    return `http://${this.name}.${this.namespace}.svc.cluster.local:8080/hook`;
  }

  deploy(): void {
    const script = `
      const http = require('http');
      const kept = [];
      http.createServer((req, res) => {
        if (req.method === 'POST') {
          let body = '';
          req.on('data', (d) => (body += d));
          req.on('end', () => {
            try { kept.push({ receivedAt: Date.now(), body: JSON.parse(body) }); } catch { kept.push({ receivedAt: Date.now(), body }); }
            console.log('notification', body.slice(0, 2000));
            res.end('ok');
          });
          return;
        }
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(kept));
      }).listen(8080, () => console.log('listening on 8080'));`;
    const labels = { app: this.name };
    const objects = [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: this.name, namespace: this.namespace, labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'receiver',
              image: this.image,
              imagePullPolicy: 'Never',
              command: ['node', '-e', script],
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
              securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: this.name, namespace: this.namespace, labels },
        spec: { selector: labels, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] },
      },
    ];
    kubectl(['apply', '-f', '-'], { input: objects.map((o) => JSON.stringify(o)).join('\n') });
  }

  async ready(): Promise<void> {
    await waitFor('the webhook receiver', 120_000, async () => ((await this.notifications()) ? true : undefined), 500);
  }

  /** Every notification so far (undefined while the receiver does not answer). */
  async notifications(): Promise<Notification[] | undefined> {
    const ip = clusterIP(this.namespace, this.name);
    const r = await http(`http://${ip}:8080/notifications`, { timeoutMs: 5000 });
    return r.status === 200 && Array.isArray(r.body) ? (r.body as Notification[]) : undefined;
  }
}

export interface DoctorCheck {
  id: string;
  title: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  detail: string;
  fix?: string;
}

/** `npm run doctor -- --release R --namespace NS --json`, as a user runs it against the lab. */
export async function doctor(
  release: string,
  namespace: string,
): Promise<{ status: number | null; checks: DoctorCheck[]; ms: number }> {
  const started = Date.now();
  const r = await runAsync('npx', ['tsx', 'scripts/doctor/main.ts', '--release', release, '--namespace', namespace, '--json'], {
    allowFailure: true,
    timeoutMs: 120_000,
    env: { KUBECONFIG },
  });
  let checks: DoctorCheck[];
  try {
    checks = (JSON.parse(r.stdout) as { checks: DoctorCheck[] }).checks;
  } catch {
    throw new Error(`the doctor printed no JSON (exit ${r.status}): ${r.stderr}${r.stdout}`);
  }
  return { status: r.status, checks, ms: Date.now() - started };
}

/** The monitoring stack is installed (scripts/lab/monitoring.sh applies it when it is not). */
export function ensureStack(): void {
  const present = run(KUBECTL, ['-n', MONITORING_NS, 'get', 'prometheus', `${STACK}-prometheus`, '-o', 'name'], {
    allowFailure: true,
  });
  if (present.status !== 0) run('bash', ['scripts/lab/monitoring.sh'], { timeoutMs: 900_000 });
}
