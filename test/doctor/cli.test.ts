// `npm run doctor` as a user runs it: --help, usage errors, no cluster, and a full run against a
// loopback fake API server (fixture objects; this is not a Kubernetes cluster: none exists here).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { must } from '../helpers/must.js';
import { crashLoopingPod, healthySnapshot, kpsGrafanaDeployment, serviceMonitor } from './fixtures.js';
import { kubeconfigFor, startFakeApiServer, type FakeApiServer } from './fake-apiserver.js';

const MAIN = join(import.meta.dirname, '../../scripts/doctor/main.ts');

function doctor(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', MAIN, ...args],
      {
        env: { ...process.env, KUBECONFIG: '', HOME: mkdtempSync(join(tmpdir(), 'doctor-home-')), ...env },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 99) : 0, stdout, stderr });
      },
    );
  });
}

/** client-node 2 ships undici 8, which loads only on Node >= 22.19 (or with undici 7 pinned). */
function clientNodeLoadsHere(): boolean {
  if ('createZstdDecompress' in zlib) return true;
  const req = createRequire(import.meta.resolve('@kubernetes/client-node'));
  return Number((req('undici/package.json') as { version: string }).version.split('.')[0]) < 8;
}

describe('doctor CLI', () => {
  it('when asked for --help, then it prints the usage and exits 0', async () => {
    const r = await doctor(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: npm run doctor/);
    assert.match(r.stdout, /--json/);
  });
  it('when given an unknown option, then it rejects it with exit 2', async () => {
    const r = await doctor(['--frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Unknown option '--frobnicate'/);
  });
  it('when no cluster is configured, then it says so plainly and exits 1', async () => {
    const r = await doctor([]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no Kubernetes cluster configured.*nothing was checked/);
    assert.equal(r.stdout, '');
  });
});

describe(
  'doctor against a loopback fake API server (not a cluster)',
  {
    skip: clientNodeLoadsHere()
      ? false
      : `@kubernetes/client-node cannot load on Node ${process.versions.node} (undici 8 needs >= 22.19)`,
  },
  () => {
    let server: FakeApiServer;
    let kubeconfig: string;
    before(async () => {
      const s = healthySnapshot();
      s.pods = [must(s.pods[0], 'a ready pod'), crashLoopingPod()];
      s.serviceMonitors = [serviceMonitor({ release: 'prometheus' })];
      server = await startFakeApiServer(s, [kpsGrafanaDeployment()]);
      kubeconfig = join(mkdtempSync(join(tmpdir(), 'doctor-kube-')), 'config');
      writeFileSync(kubeconfig, kubeconfigFor(server.url, s.namespace));
    });
    after(() => server.close());

    it('when run against a release with failures, then it reads every object through client-node, prints the table with fixes and exits 1', async () => {
      const r = await doctor([], { KUBECONFIG: kubeconfig });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /release "blog-api" in namespace "blog" \(context fake/);
      assert.match(r.stdout, /FAIL\s+Pods ready\s+1\/2 pods ready; .*CrashLoopBackOff/);
      assert.match(r.stdout, /FAIL\s+ServiceMonitor selected by Prometheus/);
      assert.match(
        r.stdout,
        /fix: helm upgrade blog-api charts\/blog-api --reuse-values --set serviceMonitor\.labels\.release=kube-prometheus-stack/,
      );
      assert.match(r.stdout, /PASS\s+Grafana sidecar loads dashboards/);
      assert.match(r.stdout, /PASS\s+Prometheus loaded our rules/);
      // the Prometheus API is reached through the service proxy, with the path unescaped
      assert.ok(server.requests.includes('/api/v1/namespaces/monitoring/services/prometheus-operated:web/proxy/api/v1/targets'));
    });

    it('when run with --json, then it gives the same checks as data', async () => {
      const r = await doctor(['--json', '--namespace', 'blog'], { KUBECONFIG: kubeconfig });
      assert.equal(r.code, 1);
      const report = JSON.parse(r.stdout) as { summary: Record<string, number>; checks: { id: string; status: string }[] };
      const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
      assert.equal(status['deployment-available'], 'pass');
      assert.equal(status['pods-ready'], 'fail');
      assert.equal(status['servicemonitor-selected'], 'fail');
      assert.equal(status['prometheusrule-selected'], 'pass');
      assert.equal(status['prometheus-targets'], 'pass');
      assert.equal(report.summary.fail, 2);
    });
  },
);
