/**
 * Helpers of the cluster tests (test/cluster/*.cluster.ts), which run against the project's lab
 * (scripts/lab/up.sh) through its admin kubeconfig: kubectl and helm as child processes, waits
 * with deadlines, the API reached through a Service's ClusterIP from this machine, and the
 * figures each test prints. Run by scripts/lab/ci.sh, never by `npm test` (it needs root and a
 * cluster). Every wait is bounded; nothing here talks to anything but the lab.
 */
import { spawn, spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LAB_DIR = process.env.LAB_DIR ?? path.join(homedir(), '.cache', 'blog-api-lab');
export const KUBECONFIG = path.join(LAB_DIR, 'kubeconfig');
export const KUBECTL = path.join(LAB_DIR, 'bin', 'k8s-v1.34.4', 'kubectl');
export const CHART = path.join(REPO, 'charts', 'blog-api');
export const LAB_VALUES = path.join(CHART, 'ci', 'lab-values.yaml');

export class CommandError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Return instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
}
export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded by timeoutMs, default 2 min). */
export function run(command: string, args: string[], options: RunOptions = {}): RunResult {
  const r = spawnSync(command, args, {
    cwd: REPO,
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, KUBECONFIG, ...options.env },
  });
  if (r.error) throw new CommandError(`${command} ${args.join(' ')}: ${r.error.message}`, null, r.stdout, r.stderr);
  const result = { status: r.status, stdout: r.stdout, stderr: r.stderr };
  if (r.status !== 0 && !options.allowFailure) {
    throw new CommandError(
      `${command} ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`,
      r.status,
      r.stdout,
      r.stderr,
    );
  }
  return result;
}

/**
 * The same without blocking the event loop: what runs while traffic flows (the load generator
 * and the tracer share this process) must use this one.
 */
export function runAsync(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, env: { ...process.env, KUBECONFIG, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new CommandError(`${command} ${args.join(' ')}: ${err.message}`, null, stdout, stderr));
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      if (status !== 0 && !options.allowFailure) {
        reject(new CommandError(`${command} ${args.join(' ')} exited ${status}:\n${stderr}${stdout}`, status, stdout, stderr));
      } else resolve({ status, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

export const kubectl = (args: string[], options?: RunOptions): string => run(KUBECTL, args, options).stdout;
export const helm = (args: string[], options?: RunOptions): string =>
  run('helm', args, { timeoutMs: 600_000, ...options }).stdout;
export const kubectlAsync = async (args: string[], options?: RunOptions): Promise<string> =>
  (await runAsync(KUBECTL, args, options)).stdout;
export const helmAsync = async (args: string[], options?: RunOptions): Promise<string> =>
  (await runAsync('helm', args, { timeoutMs: 600_000, ...options })).stdout;

/** kubectl get ... -o json, parsed (the caller names the shape it reads). */
export function getJson(args: string[]): unknown {
  return JSON.parse(kubectl([...args, '-o', 'json']));
}
export async function getJsonAsync(args: string[]): Promise<unknown> {
  return JSON.parse(await kubectlAsync([...args, '-o', 'json']));
}

/** Polls `check` every `everyMs` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => T | undefined | Promise<T | undefined>,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? last.message : last === undefined ? '' : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why ? ` (last error: ${why})` : ''}`);
    }
    await sleep(everyMs);
  }
}

/** One line of the figures the issue asks for, marked so that ci.sh can collect them. */
export function figure(text: string): void {
  process.stdout.write(`FIGURE ${text}\n`);
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export interface PodInfo {
  metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec: { containers: { name: string; image: string }[] };
  status: {
    phase?: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; ready: boolean; restartCount: number; image: string }[];
  };
}
export const isReady = (p: PodInfo): boolean =>
  !p.metadata.deletionTimestamp && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export function pods(namespace: string, selector: string): PodInfo[] {
  return (getJson(['-n', namespace, 'get', 'pods', '-l', selector]) as { items: PodInfo[] }).items;
}
export async function podsAsync(namespace: string, selector: string): Promise<PodInfo[]> {
  return ((await getJsonAsync(['-n', namespace, 'get', 'pods', '-l', selector])) as { items: PodInfo[] }).items;
}

export function clusterIP(namespace: string, service: string): string {
  return kubectl(['-n', namespace, 'get', 'service', service, '-o', 'jsonpath={.spec.clusterIP}']).trim();
}

export function secretValue(namespace: string, name: string, key: string): string {
  const b64 = kubectl(['-n', namespace, 'get', 'secret', name, '-o', `jsonpath={.data.${key}}`]).trim();
  return Buffer.from(b64, 'base64').toString();
}

export interface HttpAnswer {
  status: number;
  ms: number;
  retryAfter: string | null;
  body: unknown;
  at: number;
}

/** One HTTP request with a deadline; status 0 for a refused, reset or timed-out connection. */
export async function http(
  url: string,
  init: { method?: string; body?: unknown; token?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const at = Date.now();
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (init.token) headers.Authorization = `Token ${init.token}`;
  try {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, ms: Date.now() - at, retryAfter: res.headers.get('retry-after'), body, at };
  } catch {
    return { status: 0, ms: Date.now() - at, retryAfter: null, body: undefined, at };
  }
}

/** Runs a one-off pod to completion and returns its log (the pod is deleted afterwards). */
export async function runPod(
  namespace: string,
  name: string,
  image: string,
  command: string[],
  timeoutMs = 120_000,
): Promise<{ phase: string; log: string }> {
  kubectl(['-n', namespace, 'delete', 'pod', name, '--ignore-not-found', '--wait=true']);
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'main',
          image,
          imagePullPolicy: 'Never',
          command,
          securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };
  kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
  try {
    const phase = await waitFor(`pod ${name} to finish`, timeoutMs, () => {
      const p = kubectl(['-n', namespace, 'get', 'pod', name, '-o', 'jsonpath={.status.phase}']).trim();
      return p === 'Succeeded' || p === 'Failed' ? p : undefined;
    });
    return { phase, log: kubectl(['-n', namespace, 'logs', name]) };
  } finally {
    kubectl(['-n', namespace, 'delete', 'pod', name, '--ignore-not-found', '--wait=false']);
  }
}
