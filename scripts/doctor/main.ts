// `npm run doctor`: read a blog-api release from the cluster, diagnose it, print the table.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HELP, parseOptions, type Options } from './args.js';
import { diagnose, exitCode } from './diagnose.js';
import { renderJson, renderTable } from './report.js';

/** Why client-node cannot load here, checked up front: a failed load prints undici's trace. */
function clientNodeProblem(): string | undefined {
  if ('createZstdDecompress' in zlib) return undefined; // Node >= 22.15: any undici loads
  try {
    const fromClient = createRequire(import.meta.resolve('@kubernetes/client-node'));
    const { version } = fromClient('undici/package.json') as { version: string };
    if (Number(version.split('.')[0]) >= 8) {
      return `@kubernetes/client-node uses undici ${version}, which needs Node >= 22.19; this is Node ${process.versions.node}. Run the doctor with Node 24`;
    }
  } catch {
    // cannot tell; let the import itself decide
  }
  return undefined;
}

/**
 * @kubernetes/client-node 2 is loaded only when a cluster is to be read, so --help and the pure
 * diagnosis work on any Node. Its HTTP stack (undici 8) needs Node >= 22.19 unless the project
 * pins undici 7; say so instead of showing undici's stack trace.
 */
async function loadKube() {
  const problem = clientNodeProblem();
  if (problem) throw new Error(problem);
  try {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const { collect } = await import('./kube.js');
    return { KubeConfig, collect };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const message = `cannot load @kubernetes/client-node on Node ${process.versions.node} (${why}); run the doctor with Node 24`;
    throw new Error(message, { cause: err });
  }
}

/**
 * client-node silently falls back to http://localhost:8080 when there is no kubeconfig; say
 * plainly that there is no cluster instead of probing a port that is not Kubernetes.
 */
function hasKubeconfig(): boolean {
  if (process.env.KUBERNETES_SERVICE_HOST) return true; // in a pod: the service account
  const paths = process.env.KUBECONFIG?.split(':').filter((p) => p) ?? [join(homedir(), '.kube', 'config')];
  return paths.some((p) => existsSync(p));
}

async function main(argv: string[]): Promise<number> {
  let opts: Options;
  try {
    opts = parseOptions(argv);
  } catch (err) {
    console.error(`doctor: ${err instanceof Error ? err.message : String(err)}\n\n${HELP}`);
    return 2;
  }
  if (opts.help) {
    console.log(HELP);
    return 0;
  }
  if (!hasKubeconfig()) {
    console.error(
      'doctor: no Kubernetes cluster configured (no KUBECONFIG, no ~/.kube/config, not in a pod); nothing was checked.',
    );
    return 1;
  }
  let kube;
  try {
    kube = await loadKube();
  } catch (err) {
    console.error(`doctor: ${err instanceof Error ? err.message : String(err)}; nothing was checked.`);
    return 1;
  }
  const { KubeConfig, collect } = kube;
  const kc = new KubeConfig();
  kc.loadFromDefault();
  if (opts.context) kc.setCurrentContext(opts.context);
  const server = kc.getCurrentCluster()?.server ?? '?';
  const namespace = opts.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const ctx = { release: opts.release, namespace, cluster: `context ${kc.getCurrentContext()}, ${server}` };

  let snapshot;
  try {
    snapshot = await collect(kc, {
      release: opts.release,
      namespace,
      dashboardsNamespace: opts.dashboardsNamespace,
      prometheus: opts.prometheus,
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    console.error(`doctor: could not read the cluster at ${server}: ${why.split('\n')[0]}\nNothing was checked.`);
    return 1;
  }
  const results = diagnose(snapshot);
  console.log(opts.json ? renderJson(ctx, results) : renderTable(ctx, results));
  return exitCode(results);
}

process.exitCode = await main(process.argv.slice(2));
