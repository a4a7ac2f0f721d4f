/**
 * charts/blog-api on the lab, as a user meets it: `helm install --wait` with lab-values.yaml and
 * no other values, `helm test`, the API through its Service (ClusterIP from this machine, DNS
 * name from a pod), then under the load.ts mix: a rolling upgrade to a new image tag, an API pod
 * deleted, the MySQL pod deleted; finally `helm uninstall`. Each step prints its figures (FIGURE
 * lines). Needs the lab up and the image imported (scripts/lab/ci.sh does both).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
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
  http,
  isReady,
  kubectl,
  kubectlAsync,
  pods,
  podsAsync,
  run,
  runPod,
  secretValue,
  seconds,
  waitFor,
} from './lab.js';
import { Traffic, type TrafficReport, byStatus, failures, summary } from './traffic.js';

const NS = 'blog-api-test';
const RELEASE = 'blog-api';
const API = `app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=api`;
const MYSQL = `app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=mysql`;
const APP_IMAGE = 'localhost/blog-api:lab';
const UPGRADE_TAG = 'lab-upgrade';

let base = '';

function apiPods(): PodInfo[] {
  return pods(NS, API);
}
/** Both API pods, when exactly two exist and both are ready (async: used while traffic flows). */
async function readyApiPods(): Promise<PodInfo[] | undefined> {
  const all = await podsAsync(NS, API);
  return all.length === 2 && all.every(isReady) ? all : undefined;
}
function first<T>(list: readonly T[] | undefined, what: string): T {
  const item = list?.[0];
  assert.ok(item !== undefined, `no ${what}`);
  return item;
}
function mysql(sql: string): string {
  const root = secretValue(NS, RELEASE, 'MYSQL_ROOT_PASSWORD');
  return kubectl(['-n', NS, 'exec', `${RELEASE}-mysql-0`, '--', 'mysql', '-uroot', `-p${root}`, '-N', '-B', 'blog', '-e', sql]);
}

/** Every write the service acknowledged is there: tracer comments by id (API and MySQL), load posts by count. */
async function assertWritesKept(traffic: Traffic, report: TrafficReport, loadArticlesBefore: number): Promise<string> {
  const acked = report.tracer.acknowledged;
  const viaApi = await traffic.commentIds();
  const missingApi = acked.filter((id) => !viaApi.has(id));
  assert.deepEqual(missingApi, [], 'acknowledged comments missing from the API');
  const inDb = new Set(
    mysql(`SELECT id FROM comments WHERE id IN (${acked.length ? acked.join(',') : '0'})`)
      .split('\n')
      .filter(Boolean)
      .map(Number),
  );
  const missingDb = acked.filter((id) => !inDb.has(id));
  assert.deepEqual(missingDb, [], 'acknowledged comments missing from MySQL');
  const loadArticles = await traffic.loadArticles();
  const added = loadArticles - loadArticlesBefore;
  assert.ok(
    added >= report.postsAcknowledged && added <= report.postsAttempted,
    `load articles grew by ${added}: fewer than the ${report.postsAcknowledged} acknowledged or more than the ${report.postsAttempted} sent`,
  );
  return `${acked.length} acknowledged tracer comments all in the API and in MySQL; ${report.postsAcknowledged} acknowledged load posts, ${added} new load articles`;
}

/** Runs traffic around `action`, which returns when the disruption is over. */
async function underLoad(
  action: () => Promise<void>,
  tailMs = 3000,
): Promise<{ traffic: Traffic; report: TrafficReport; before: number }> {
  const traffic = new Traffic(base);
  await traffic.setup();
  const before = await traffic.loadArticles();
  traffic.start();
  let failure: unknown;
  try {
    await sleep(3000);
    await action();
    await sleep(tailMs);
  } catch (err) {
    failure = err;
  }
  // the traffic stops in every case, also when the action failed
  const report = await traffic.stop();
  if (failure instanceof Error) throw failure;
  if (failure !== undefined) throw new Error(JSON.stringify(failure));
  return { traffic, report, before };
}

describe('charts/blog-api on the lab', { timeout: 1_500_000 }, () => {
  before(() => {
    helm(['uninstall', RELEASE, '-n', NS, '--wait'], { allowFailure: true });
    kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=true', '--timeout=120s']);
    run('bash', ['scripts/lab/volumes.sh']);
  });
  after(() => {
    helm(['uninstall', RELEASE, '-n', NS, '--wait'], { allowFailure: true });
    kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false'], { allowFailure: true });
  });

  it('installs with helm install --wait, lab-values.yaml and no other values', async () => {
    const started = Date.now();
    helm(['install', RELEASE, CHART, '-n', NS, '--create-namespace', '-f', LAB_VALUES, '--wait', '--timeout', '10m']);
    const took = Date.now() - started;
    assert.equal((await readyApiPods())?.length, 2, 'two API pods ready');
    assert.ok(pods(NS, MYSQL).every(isReady));
    // generated on install, kept in the release's Secret
    assert.equal(secretValue(NS, RELEASE, 'JWT_SECRET').length, 64);
    assert.equal(secretValue(NS, RELEASE, 'MYSQL_PASSWORD').length, 32);
    const init = first(apiPods(), 'API pod').metadata.name;
    const migrateLog = kubectl(['-n', NS, 'logs', init, '-c', 'migrate']);
    assert.match(migrateLog, /migrations applied/);
    figure(`helm install --wait (lab-values, no other values): release Ready in ${seconds(took)}`);
  });

  it('passes helm test', () => {
    // (no --logs: the pod is deleted once it succeeded, so that uninstall leaves nothing behind)
    const out = helm(['test', RELEASE, '-n', NS, '--timeout', '3m']);
    assert.match(out, /Phase:\s+Succeeded/);
  });

  it("answers through the Service's ClusterIP from this machine", async () => {
    const ip = clusterIP(NS, RELEASE);
    base = `http://${ip}`;
    const ready = await waitFor('the ClusterIP', 30_000, async () =>
      (await http(`${base}/readyz`)).status === 200 ? true : undefined,
    );
    assert.ok(ready);
    const tags = await http(`${base}/api/tags`);
    assert.equal(tags.status, 200);
    assert.ok(Array.isArray((tags.body as { tags?: unknown }).tags));
    const metrics = await fetch(`http://${ip}:9464/metrics`, { signal: AbortSignal.timeout(5000) });
    assert.match(await metrics.text(), /^http_requests_total/m);
    figure(`API through ClusterIP ${ip}:80 from the host: /readyz 200, /api/tags 200; metrics on :9464`);
  });

  it('answers by its DNS name from a pod', async () => {
    const ip = clusterIP(NS, RELEASE);
    const script = `
      const dns = require('dns');
      dns.lookup('${RELEASE}', (e, a) => console.log('lookup ${RELEASE}', e ? e.code : a));
      for (const url of ['http://${RELEASE}/api/tags', 'http://${RELEASE}.${NS}.svc.cluster.local/readyz'])
        fetch(url, { signal: AbortSignal.timeout(5000) }).then((r) => console.log(url, r.status), (e) => console.log(url, 'ERROR', e.cause?.code ?? e));`;
    const { phase, log } = await runPod(NS, 'dns-client', APP_IMAGE, ['node', '-e', script]);
    assert.equal(phase, 'Succeeded', log);
    assert.match(log, new RegExp(`lookup ${RELEASE} ${ip.replace(/\./g, '\\.')}`));
    assert.match(log, new RegExp(`http://${RELEASE}/api/tags 200`));
    assert.match(log, new RegExp(`svc\\.cluster\\.local/readyz 200`));
    figure(`API by DNS name from a pod: ${log.trim().replace(/\n/g, '; ')}`);
  });

  it('limits sign-ups per client through the Service; lifted for the load tests, which are one client', async () => {
    // the default budget: 10 sign-ups and logins per client and minute
    const answers = [];
    for (let i = 0; i < 11; i += 1) {
      const name = `limit${Date.now().toString(36)}${i}`;
      answers.push(
        await http(`${base}/api/users`, {
          method: 'POST',
          body: { user: { username: name, email: `${name}@limit.test`, password: 'limit-password-1' } },
        }),
      );
    }
    const limited = answers.filter((a) => a.status === 429);
    assert.ok(limited.length >= 1, `no 429 in ${answers.map((a) => a.status).join(',')}`);
    assert.ok(
      limited.every((a) => a.retryAfter !== null),
      '429 without Retry-After',
    );
    // Every request of the load tests comes from this machine: one client, which the per-client
    // limits would (rightly) throttle. They measure availability, so the limits go off for them.
    const started = Date.now();
    helm([
      'upgrade',
      RELEASE,
      CHART,
      '-n',
      NS,
      '--reuse-values',
      '--set',
      'config.rateLimitAuthPerMinute=0,config.rateLimitWritesPerMinute=0',
      '--wait',
      '--timeout',
      '5m',
    ]);
    // helm --wait returns once the new pods are ready, while pods of the old ReplicaSet (limits on)
    // may still drain and answer for a few seconds; this client is over its budget, so they would
    // answer the load's first sign-ups with 429. Only the new pods may be left.
    await waitFor(
      'only the API pods with the limits lifted',
      180_000,
      async () => {
        const all = await readyApiPods();
        return all?.every((p) => !p.metadata.deletionTimestamp) ? all : undefined;
      },
      1000,
    );
    figure(
      `rate limits: ${answers.filter((a) => a.status === 201).length} sign-ups accepted, then 429 with Retry-After; ` +
        `lifted for the load tests (helm upgrade --reuse-values, ${seconds(Date.now() - started)})`,
    );
  });

  it('upgrades to a new image tag under load: zero failed requests, every acknowledged write kept', async () => {
    run('podman', ['tag', APP_IMAGE, `localhost/blog-api:${UPGRADE_TAG}`]);
    run('bash', ['scripts/lab/import.sh', `localhost/blog-api:${UPGRADE_TAG}`], { timeoutMs: 300_000 });
    const jwtBefore = secretValue(NS, RELEASE, 'JWT_SECRET');
    const oldPods = apiPods().map((p) => p.metadata.name);
    let took = 0;
    let started = 0;
    const { traffic, report, before } = await underLoad(async () => {
      started = Date.now();
      await helmAsync([
        'upgrade',
        RELEASE,
        CHART,
        '-n',
        NS,
        '--reuse-values',
        '--set',
        `image.tag=${UPGRADE_TAG}`,
        '--wait',
        '--timeout',
        '5m',
      ]);
      took = Date.now() - started;
    });
    // the old pods may still be draining (preStop, then SIGTERM): look at the live ones
    const now = apiPods().filter((p) => !p.metadata.deletionTimestamp);
    assert.ok(
      now.every((p) => !oldPods.includes(p.metadata.name)),
      'every pod was replaced',
    );
    assert.ok(now.every((p) => first(p.spec.containers, 'container').image === `localhost/blog-api:${UPGRADE_TAG}`));
    assert.equal(secretValue(NS, RELEASE, 'JWT_SECRET'), jwtBefore, 'the generated JWT secret survived the upgrade');
    const failed = report.samples.filter((s) => !s.ok);
    const tracerFailed = report.tracer.answers.filter((a) => a.status < 200 || a.status >= 300);
    figure(`rolling upgrade (${seconds(took)}): ${summary(report)}; failures: ${failures(report, started)}`);
    assert.equal(failed.length, 0, `failed load requests: ${JSON.stringify(byStatus(failed))}`);
    assert.equal(tracerFailed.length, 0, `failed tracer writes: ${JSON.stringify(byStatus(tracerFailed))}`);
    assert.equal(report.staleReads, 0, report.staleExamples.join('; '));
    figure(
      `rolling upgrade: ${await assertWritesKept(traffic, report, before)}; JWT secret unchanged (the tracer's token stayed valid)`,
    );
  });

  it('loses no request when an API pod is deleted under load', async () => {
    // a clean start: the pods the upgrade replaced are gone
    const victim = first(await waitFor('two ready API pods', 120_000, readyApiPods), 'ready API pod').metadata.name;
    let replaced = 0;
    let started = 0;
    const { traffic, report, before } = await underLoad(async () => {
      started = Date.now();
      await kubectlAsync(['-n', NS, 'delete', 'pod', victim, '--wait=true', '--timeout=90s']);
      await waitFor('a replacement API pod', 120_000, readyApiPods);
      replaced = Date.now() - started;
    });
    const failed = report.samples.filter((s) => !s.ok);
    const tracerFailed = report.tracer.answers.filter((a) => a.status < 200 || a.status >= 300);
    figure(
      `API pod delete (gone and replaced in ${seconds(replaced)}): ${summary(report)}; failures: ${failures(report, started)}`,
    );
    assert.equal(failed.length, 0, `failed load requests: ${JSON.stringify(byStatus(failed))}`);
    assert.equal(tracerFailed.length, 0, `failed tracer writes: ${JSON.stringify(byStatus(tracerFailed))}`);
    assert.equal(report.staleReads, 0, report.staleExamples.join('; '));
    figure(`API pod delete: ${await assertWritesKept(traffic, report, before)}`);
  });

  it('answers fast 503s with Retry-After while MySQL is away, recovers by itself, loses no acknowledged write', async () => {
    await waitFor('two ready API pods', 120_000, readyApiPods);
    const restartsBefore = apiPods().map((p) => p.status.containerStatuses?.[0]?.restartCount ?? 0);
    const oldUid = (getJson(['-n', NS, 'get', 'pod', `${RELEASE}-mysql-0`]) as { metadata: { uid: string } }).metadata.uid;
    let deletedAt = 0;
    let backAt = 0;
    let recoveredAt = 0;
    const result = await underLoad(async () => {
      deletedAt = Date.now();
      await kubectlAsync(['-n', NS, 'delete', 'pod', `${RELEASE}-mysql-0`, '--wait=false']);
      await waitFor('MySQL back', 180_000, async () => {
        const p = (await getJsonAsync(['-n', NS, 'get', 'pod', `${RELEASE}-mysql-0`])) as PodInfo & { metadata: { uid: string } };
        return p.metadata.uid !== oldUid && isReady(p) ? true : undefined;
      });
      backAt = Date.now();
      // recovered: the service takes writes again without anyone's help
      recoveredAt = await waitFor('the first write after MySQL is back', 60_000, async () => {
        const r = await http(`${base}/api/tags`);
        const w = await http(`${base}/api/users`, {
          method: 'POST',
          body: {
            user: { username: `probe${Date.now()}`, email: `probe${Date.now()}@probe.test`, password: 'probe-password-1' },
          },
        });
        return r.status === 200 && w.status === 201 ? Date.now() : undefined;
      });
    }, 5000);
    const { report, before } = result;
    const outage = report.samples.filter((s) => s.at >= deletedAt && s.at <= recoveredAt);
    const allAnswers = [...report.samples.map((s) => ({ status: s.status, ms: s.ms })), ...report.tracer.answers];
    const failed = allAnswers.filter((a) => a.status < 200 || a.status >= 300);
    const tracer503 = report.tracer.answers.filter((a) => a.status === 503);
    const failMs = failed.map((a) => Math.round(a.ms)).sort((a, b) => a - b);
    const slowest503 = failMs.at(-1) ?? 0;
    const p90 = failMs[Math.max(0, Math.ceil(failMs.length * 0.9) - 1)] ?? 0;
    figure(
      `MySQL pod delete: away ${seconds(backAt - deletedAt)} (delete to Ready), writes again ${seconds(recoveredAt - backAt)} later; ` +
        `${summary(report)}; during the outage ${outage.length} load requests ${JSON.stringify(byStatus(outage))}; ` +
        `failures ${JSON.stringify(byStatus(failed))} answered in ${failMs[0] ?? 0}-${slowest503} ms (p90 ${p90} ms): ${failures(report, deletedAt)}`,
    );
    // first what matters most: every acknowledged write survived the restart (API and MySQL)
    const tracerKept = await assertWritesKept(result.traffic, report, before);
    figure(`MySQL pod delete: ${tracerKept}; ${tracer503.length} tracer writes refused with 503 + Retry-After`);
    const serverErrors = failed.filter((a) => a.status >= 500 && a.status !== 503).length;
    if (serverErrors > 0) {
      // what the service logged about them (level error), for the report
      const logs = kubectlAsync(['-n', NS, 'logs', '-l', API, '-c', 'api', '--since=5m', '--tail=2000']);
      const errors = (await logs).split('\n').filter((l) => l.includes('"level":"error"') || l.includes('"level":50'));
      figure(
        `MySQL pod delete: ${serverErrors} answer(s) other than 503; the service logged: ${errors.slice(0, 3).join(' | ').slice(0, 1500)}`,
      );
    }
    // the outage was felt, and every failure was a fast, well-formed 503
    assert.ok(tracer503.length > 0, 'no write was refused while MySQL was away: the test did not disrupt anything');
    assert.deepEqual(Object.keys(byStatus(failed)), ['503'], 'only 503s: no refused connections, no 500s, no timeouts');
    assert.ok(
      tracer503.every((a) => a.retryAfter !== null),
      'every 503 carries Retry-After',
    );
    // Fast: bounded by the service's own deadlines, never by TCP's or the client's 10 s timeout.
    // A connection is waited for DB_ACQUIRE_TIMEOUT_MS (1 s; a registration may first wait up to
    // 2 s for a password-hashing slot), a statement that MySQL's shutdown catches runs into
    // DB_STATEMENT_TIMEOUT_MS (5 s), as does a connection attempt that mysql2 gives up after 5 s.
    // (Before the chart's MySQL turned unready before stopping, most 503s took those 5 s.)
    const median = failMs[Math.floor(failMs.length / 2)] ?? 0;
    assert.ok(median < 2500, `half the 503s took more than ${median} ms`);
    assert.ok(slowest503 < 5500, `a 503 took ${slowest503} ms`);
    // after recovery, nothing fails
    const late = report.samples.filter((s) => s.at > recoveredAt + 1000);
    assert.ok(late.length > 0);
    assert.deepEqual(byStatus(late.filter((s) => !s.ok)), {}, 'failures after recovery');
    // recovered by itself: no API pod restarted, both still ready
    assert.deepEqual(
      apiPods().map((p) => p.status.containerStatuses?.[0]?.restartCount ?? 0),
      restartsBefore,
      'API pods restarted',
    );
    assert.equal((await readyApiPods())?.length, 2);
    assert.equal(report.staleReads, 0, report.staleExamples.join('; '));
  });

  it('leaves no object of the release behind after helm uninstall', async () => {
    const claim = `data-${RELEASE}-mysql-0`;
    const pv = kubectl(['-n', NS, 'get', 'pvc', claim, '-o', 'jsonpath={.spec.volumeName}']).trim();
    const started = Date.now();
    helm(['uninstall', RELEASE, '-n', NS, '--wait', '--timeout', '3m']);
    const kinds = kubectl(['api-resources', '--verbs=list', '--namespaced', '-o', 'name'])
      .split('\n')
      .filter((k) => k && !/^events(\.events\.k8s\.io)?$/.test(k));
    const leftovers = await waitFor(
      'the release to be gone',
      120_000,
      () => {
        const items = (getJson(['-n', NS, 'get', kinds.join(',')]) as { items: { kind: string; metadata: { name: string } }[] })
          .items;
        const left = items
          .filter((o) => !(o.kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt'))
          .filter((o) => !(o.kind === 'ServiceAccount' && o.metadata.name === 'default'))
          .map((o) => `${o.kind}/${o.metadata.name}`);
        return left.length === 0 ? left : undefined;
      },
      1000,
    );
    assert.deepEqual(leftovers, []);
    const phase = kubectl(['get', 'pv', pv, '-o', 'jsonpath={.status.phase}']).trim();
    figure(
      `helm uninstall: 0 objects left in ${NS} after ${seconds(Date.now() - started)} (the PVC ${claim} went with the StatefulSet, ` +
        `retention whenDeleted=Delete); its volume ${pv} is ${phase} (lab-local reclaimPolicy Retain) until scripts/lab/volumes.sh wipes it`,
    );
    run('bash', ['scripts/lab/volumes.sh']);
    assert.equal(kubectl(['get', 'pv', pv, '-o', 'jsonpath={.status.phase}']).trim(), 'Available');
  });
});
