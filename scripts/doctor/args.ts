// Command-line options of `npm run doctor`.
import { parseArgs } from 'node:util';

export interface Options {
  release: string;
  /** Unset: the kubeconfig context's namespace, else "default". */
  namespace?: string;
  context?: string;
  dashboardsNamespace?: string;
  /** namespace/name of the Prometheus to query; unset: the first that selects us. */
  prometheus?: string;
  json: boolean;
  help: boolean;
}

export const HELP = `Usage: npm run doctor -- [options]

Explains what is wrong with a blog-api deployment. Reads the cluster through your kubeconfig
(like kubectl) and checks, with a fix for each failure:
  - the Deployment is available, its pods are ready, and containers do not restart
  - the Service has the http and metrics ports and ready endpoints
  - the migrations were applied (the migrate init container of the API pods, with its error
    when it failed; the hook Job of an older chart)
  - some Prometheus resource selects our ServiceMonitor and PrometheusRule (labels and namespace
    selectors, the usual kube-prometheus-stack pitfall), and the ServiceMonitor finds the Service
  - the Grafana dashboard sidecar's label and namespaces match our dashboard ConfigMaps
  - through the API server's service proxy to Prometheus: our targets are up, our rule groups are
    loaded, and which of our alerts fire

Options:
  -r, --release NAME            Helm release name (default: blog-api)
  -n, --namespace NAME          release namespace (default: the context's, else "default")
      --context NAME            kubeconfig context (default: the current one)
      --dashboards-namespace NS namespace of the dashboard ConfigMaps (default: the release's)
      --prometheus NS/NAME      Prometheus resource to query (default: the first that selects us)
      --json                    print the results as JSON
  -h, --help                    show this help

Exit status: 0 when no check failed (warnings allowed), 1 when any check failed or the cluster
could not be read, 2 on a usage error.`;

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      release: { type: 'string', short: 'r', default: 'blog-api' },
      namespace: { type: 'string', short: 'n' },
      context: { type: 'string' },
      'dashboards-namespace': { type: 'string' },
      prometheus: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.prometheus !== undefined && !/^[^/]+\/[^/]+$/.test(values.prometheus)) {
    throw new Error('--prometheus takes NAMESPACE/NAME');
  }
  return {
    release: values.release,
    namespace: values.namespace,
    context: values.context,
    dashboardsNamespace: values['dashboards-namespace'],
    prometheus: values.prometheus,
    json: values.json,
    help: values.help,
  };
}
