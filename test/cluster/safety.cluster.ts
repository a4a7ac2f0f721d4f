/**
 * The lab's network safety rules (scripts/lab/README.md), checked on the running lab: nothing of
 * the cluster can send a packet through the uplink. Routes of the pod and service ranges never
 * resolve to it; forwarded traffic is dropped there in both directions, and a pod's attempt to
 * reach an outside address is dropped and counted; image pulls fail on the machine; DNS answers
 * cluster.local only; every socket of the cluster listens on loopback or the node address.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LAB_DIR, figure, kubectl, run, runPod, waitFor } from './lab.js';

const NS = 'lab-safety';
const APP_IMAGE = 'localhost/blog-api:lab';
const NODE_IP = '10.244.255.1';
const OUTSIDE = '198.51.100.7'; // TEST-NET-2: routed to the uplink by the default route, owned by nobody

const uplinks = [
  ...new Set(
    run('ip', ['-4', 'route', 'show', 'default'])
      .stdout.split('\n')
      .flatMap((l) => /\bdev (\S+)/.exec(l)?.[1] ?? []),
  ),
];

interface GuardCounters {
  in: number;
  out: number;
}
/** Packets counted by our mangle FORWARD DROP rules on one uplink. */
function guardCounters(dev: string): GuardCounters {
  const lines = run('iptables', ['-t', 'mangle', '-L', 'FORWARD', '-v', '-n', '-x']).stdout.split('\n');
  const count = (dir: 'in' | 'out') =>
    lines
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[2] === 'DROP' && (dir === 'in' ? f[5] === dev : f[6] === dev) && f.join(' ').includes('blog-api-lab'))
      .reduce((sum, f) => sum + Number(f[0]), 0);
  return { in: count('in'), out: count('out') };
}

describe('lab safety: nothing of the cluster reaches the uplink', () => {
  before(() => {
    kubectl(['create', 'namespace', NS], { allowFailure: true });
  });
  after(() => {
    kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false'], { allowFailure: true });
  });

  it('knows the uplink', () => {
    assert.ok(uplinks.length > 0, 'no default route');
    figure(`uplink(s): ${uplinks.join(', ')}`);
  });

  it('routes every address of the pod and service ranges away from the uplink', () => {
    const samples = [
      '10.96.0.1',
      '10.96.0.10',
      '10.96.128.7',
      '10.96.255.254',
      '10.244.0.1',
      '10.244.0.77',
      '10.244.5.5',
      '10.244.255.254',
      NODE_IP,
    ];
    for (const addr of samples) {
      const route = run('ip', ['route', 'get', addr]).stdout;
      for (const dev of uplinks) assert.doesNotMatch(route, new RegExp(`\\bdev ${dev}\\b`), `${addr}: ${route}`);
      assert.match(route, /\bdev (labhole0|labcni0|lo)\b/, `${addr}: ${route}`);
    }
    // the bridge the ranges go to has no port: a frame sent there reaches nothing
    assert.equal(run('ip', ['-o', 'link', 'show', 'master', 'labhole0']).stdout.trim(), '');
  });

  it('drops forwarded traffic on the uplink in both directions, before any other rule', () => {
    const rules = run('iptables', ['-t', 'mangle', '-S', 'FORWARD'])
      .stdout.split('\n')
      .filter((l) => l.startsWith('-A FORWARD'));
    const ours = rules.slice(0, uplinks.length * 2);
    for (const dev of uplinks) {
      for (const dir of ['-i', '-o']) {
        assert.ok(
          ours.some((r) => r.includes(`${dir} ${dev} `) && r.includes('blog-api-lab') && r.endsWith('-j DROP')),
          `no leading ${dir} ${dev} DROP in mangle FORWARD:\n${rules.join('\n')}`,
        );
      }
    }
  });

  it("drops and counts a pod's connection attempt to an outside address", async () => {
    const dev = uplinks[0];
    assert.ok(dev, 'no uplink');
    const before = guardCounters(dev);
    const script = `
      const s = require('net').connect({ host: '${OUTSIDE}', port: 80, timeout: 3000 });
      s.on('connect', () => { console.log('CONNECTED'); process.exit(0); });
      s.on('timeout', () => { console.log('TIMEOUT'); process.exit(0); });
      s.on('error', (e) => { console.log('ERROR ' + e.code); process.exit(0); });`;
    const { log } = await runPod(NS, 'reach-outside', APP_IMAGE, ['node', '-e', script]);
    assert.match(log, /TIMEOUT/, `the connection attempt did not simply vanish: ${log}`);
    const afterCount = guardCounters(dev);
    assert.ok(afterCount.out > before.out, `the ${dev} out guard counted nothing (${before.out} -> ${afterCount.out})`);
    figure(`safety: pod -> ${OUTSIDE}:80 timed out; the ${dev} out guard dropped ${afterCount.out - before.out} packet(s)`);
  });

  it('resolves cluster names only, with no upstream resolver anywhere', async () => {
    const corefile = kubectl(['-n', 'kube-system', 'get', 'configmap', 'coredns', '-o', 'jsonpath={.data.Corefile}']);
    assert.doesNotMatch(corefile, /\bforward\b|\bproxy\b/);
    assert.match(corefile, /^cluster\.local:53 \{/m);
    assert.doesNotMatch(corefile, /^\.:53/m);
    assert.equal(readFileSync(path.join(LAB_DIR, 'resolv.conf'), 'utf8'), '', "the kubelet's resolvConf must stay empty");
    const script = `
      const dns = require('dns');
      dns.lookup('kubernetes.default.svc.cluster.local', (e, a) => console.log('cluster', e ? e.code : a));
      dns.resolve4('registry.npmjs.org', (e, a) => console.log('external', e ? e.code : a));`;
    const { log } = await runPod(NS, 'dns', APP_IMAGE, ['node', '-e', script]);
    assert.match(log, /cluster 10\.96\.0\.1/);
    assert.match(log, /external (EREFUSED|ENOTFOUND|ESERVFAIL)/);
    figure(`safety: DNS in a pod: ${log.trim().replace(/\n/g, '; ')}`);
  });

  it('fails an image pull on the machine (dead proxy), without a lookup or a packet out', async () => {
    const pid = readFileSync(path.join(LAB_DIR, 'run', 'containerd.pid'), 'utf8').trim();
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    assert.ok(environ.includes('HTTPS_PROXY=http://127.0.0.1:10251'), 'containerd has no dead proxy');
    assert.equal(run('ss', ['-Hltn', 'sport = :10251']).stdout.trim(), '', 'something listens on the dead proxy port');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pull-attempt', namespace: NS },
      spec: { containers: [{ name: 'c', image: 'docker.io/library/busybox:1.37', imagePullPolicy: 'Always' }] },
    };
    kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    const message = await waitFor('the pull to fail', 60_000, () => {
      const events = kubectl([
        '-n',
        NS,
        'get',
        'events',
        '--field-selector',
        'involvedObject.name=pull-attempt',
        '-o',
        'jsonpath={.items[*].message}',
      ]);
      return /proxyconnect tcp: dial tcp 127\.0\.0\.1:10251: connect: connection refused/.exec(events)?.[0];
    });
    kubectl(['-n', NS, 'delete', 'pod', 'pull-attempt', '--wait=false']);
    figure(`safety: image pull failed locally: ${message}`);
  });

  it('listens on loopback or the node address only', () => {
    const ourPids = new Set<string>();
    for (const name of [
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'containerd',
      'kubelet',
      'kube-proxy',
    ]) {
      const pid = readFileSync(path.join(LAB_DIR, 'run', `${name}.pid`), 'utf8').trim();
      ourPids.add(pid);
      // `env ... containerd` execs, so the pid is containerd's own; children (none listen) are skipped
    }
    const sockets = run('ss', ['-Hlntup'])
      .stdout.split('\n')
      .filter((l) => l.trim());
    const bad: string[] = [];
    let checked = 0;
    for (const line of sockets) {
      const pid = /pid=(\d+)/.exec(line)?.[1];
      if (!pid || !ourPids.has(pid)) continue;
      checked += 1;
      const local = line.trim().split(/\s+/)[4] ?? '';
      const host = local.slice(0, local.lastIndexOf(':'));
      if (!['127.0.0.1', '[::1]', NODE_IP].includes(host)) bad.push(line.trim());
    }
    assert.ok(checked >= 8, `only ${checked} listening sockets of the lab found`);
    assert.deepEqual(bad, []);
    figure(`safety: ${checked} listening sockets of the lab, all on 127.0.0.1 or ${NODE_IP}`);
  });
});
