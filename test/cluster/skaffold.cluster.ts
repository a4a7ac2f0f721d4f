/**
 * skaffold v2 (built from its Go module by scripts/lab/build.sh) against the lab, through
 * scripts/lab/skaffold.sh (npm run lab:skaffold): `skaffold run -p lab` builds the image with
 * podman (custom build, imported into the lab's containerd), deploys charts/blog-api with
 * ci/lab-values.yaml, and the API answers; `skaffold dev -p lab` then picks up an edit of a file
 * under app/ (file sync into the dev image, tsx watch reloads) and the running pod serves it.
 * Bounded: skaffold dev is stopped by this test, by its pid, and the edited file is restored in
 * every case. Each step prints its figures (FIGURE lines).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO, clusterIP, figure, helm, http, kubectl, run, runAsync, seconds, waitFor } from './lab.js';

const NS = 'blog-api'; // skaffold.yaml's release namespace
const RELEASE = 'blog-api';
const EDITED = path.join(REPO, 'app', 'http', 'health.ts');
const LIVEZ = "ctx.body = { status: 'ok' };";

function cleanup(): void {
  run('bash', ['scripts/lab/skaffold.sh', 'delete', '-p', 'lab'], { allowFailure: true, timeoutMs: 300_000 });
  helm(['uninstall', RELEASE, '-n', NS, '--wait'], { allowFailure: true });
  kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=true', '--timeout=120s'], { allowFailure: true });
}

/** The API's ClusterIP once the release's Service exists. */
async function apiBase(): Promise<string> {
  const ip = await waitFor('the Service of the release', 120_000, () => clusterIP(NS, RELEASE) || undefined, 1000);
  return `http://${ip}`;
}

describe('skaffold on the lab', { timeout: 1_800_000 }, () => {
  before(() => {
    cleanup();
    run('bash', ['scripts/lab/volumes.sh']);
  });
  after(() => {
    cleanup();
    run('bash', ['scripts/lab/volumes.sh'], { allowFailure: true });
  });

  it('skaffold run -p lab builds with podman, imports into the lab, deploys the chart, and the API answers', async () => {
    const version = run('bash', ['-c', 'source scripts/lab/lib.sh && "$SKAFFOLD_BIN" version']).stdout.trim();
    const started = Date.now();
    const r = await runAsync('bash', ['scripts/lab/skaffold.sh', 'run', '-p', 'lab', '--status-check=true'], {
      timeoutMs: 1_200_000,
      allowFailure: true,
    });
    const took = Date.now() - started;
    assert.equal(r.status, 0, `skaffold run failed:\n${r.stderr.slice(-4000)}${r.stdout.slice(-4000)}`);
    const base = await apiBase();
    const tags = await waitFor('GET /api/tags through the Service', 120_000, async () => {
      const a = await http(`${base}/api/tags`);
      return a.status === 200 ? a : undefined;
    });
    assert.ok(Array.isArray((tags.body as { tags?: unknown }).tags));
    const image = kubectl(['-n', NS, 'get', 'deployment', RELEASE, '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
    assert.match(image, /^blog-api:[0-9a-f]{64}$/, 'the tag skaffold deployed (its image id)');
    figure(
      `skaffold ${version} run -p lab: built (podman), imported, deployed and stabilized in ${seconds(took)}; image ${image.slice(0, 24)}...; GET /api/tags 200`,
    );
    run('bash', ['scripts/lab/skaffold.sh', 'delete', '-p', 'lab'], { timeoutMs: 300_000 });
    await waitFor('the run release gone', 180_000, () =>
      kubectl(['-n', NS, 'get', 'deployment', RELEASE, '--ignore-not-found', '-o', 'name']).trim() === '' ? true : undefined,
    );
  });

  it('skaffold dev -p lab syncs an edit under app/ into the running pod, which serves it', async () => {
    const original = readFileSync(EDITED, 'utf8');
    assert.ok(original.includes(LIVEZ), `${EDITED} no longer holds ${LIVEZ}: update this test`);
    const marker = `lab-${Date.now().toString(36)}`;
    let child: ChildProcess | undefined;
    let output = '';
    const started = Date.now();
    try {
      child = spawn('bash', ['scripts/lab/skaffold.sh', 'dev', '-p', 'lab', '--port-forward=off', '--status-check=true'], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
      const base = await apiBase();
      await waitFor(
        'the dev deployment to answer',
        900_000,
        async () => {
          if (child?.exitCode !== null) throw new Error(`skaffold dev exited: ${output.slice(-3000)}`);
          return output.includes('Watching for changes') && (await http(`${base}/livez`)).status === 200 ? true : undefined;
        },
        2000,
      ).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : String(err)}\n${output.slice(-3000)}`, { cause: err });
      });
      const ready = Date.now();
      figure(`skaffold dev -p lab: dev image built, deployed and watching in ${seconds(ready - started)}`);

      writeFileSync(EDITED, original.replace(LIVEZ, `ctx.body = { status: 'ok', edited: '${marker}' };`));
      const edited = Date.now();
      const served = await waitFor(
        'the edit served by the running pod',
        180_000,
        async () => {
          const a = await http(`${base}/livez`);
          return (a.body as { edited?: string } | undefined)?.edited === marker ? Date.now() : undefined;
        },
        500,
      ).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : String(err)}\n${output.slice(-3000)}`, { cause: err });
      });
      const synced = /Syncing \d+ files? for/.test(output);
      const pods = kubectl([
        '-n',
        NS,
        'get',
        'pods',
        '-l',
        `app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=api`,
        '-o',
        'name',
      ]);
      figure(
        `skaffold dev -p lab: an edit of app/http/health.ts served ${seconds(served - edited)} after the write ` +
          `(${synced ? 'file sync into the pod, tsx watch reloaded' : 'rebuilt'}; pods: ${pods.trim().replace(/\n/g, ', ')})`,
      );
      assert.ok(synced, 'skaffold synced the file instead of rebuilding');
      void exited;
    } finally {
      writeFileSync(EDITED, original);
      if (child?.pid !== undefined && child.exitCode === null) {
        const stopAt = Date.now();
        child.kill('SIGTERM');
        await waitFor('skaffold dev to stop', 180_000, () => (child?.exitCode !== null ? true : undefined), 500).catch(() => {
          child?.kill('SIGKILL');
        });
        figure(`skaffold dev stopped by its pid (SIGTERM) in ${seconds(Date.now() - stopAt)}; app/http/health.ts restored`);
      }
    }
    assert.equal(readFileSync(EDITED, 'utf8'), original);
  });
});
