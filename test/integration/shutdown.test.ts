import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { createConnection, type Connection } from 'mysql2/promise';
import { sumMetric } from '../../scripts/load.js';
import { spawnService, waitForReady, type ServiceProcess } from '../helpers/process.js';
import type { ArticlePage, HealthBody } from '../helpers/realworld.js';
import { dropDatabase, MYSQL_SERVER_URL, uniqueDatabaseName } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

/** Whether a new TCP connection to the port is accepted (a fresh socket: keep-alive reuse would hide a closed listener). */
function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Requests the spawned service is serving right now, from its own gauge. */
async function requestsInFlight(svc: ServiceProcess): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${svc.metricsPort}/metrics`)).text();
  return sumMetric(text, 'http_requests_in_flight');
}

describe('graceful shutdown on SIGTERM', () => {
  const databaseName = uniqueDatabaseName('blog_shutdown');
  after(() => dropDatabase(databaseName));

  it('when SIGTERM arrives mid-request, then /readyz is 503 at once, the request finishes and the exit code is 0 within the grace window', async () => {
    const svc = await spawnService({
      DATABASE_URL: `${MYSQL_SERVER_URL}/${databaseName}`,
      REDIS_URL: '',
      SHUTDOWN_GRACE_MS: '5000',
      JWT_SECRET: 'shutdown-test-secret-0123456789',
    });
    let locker: Connection | undefined;
    try {
      await waitForReady(svc.port);
      const base = `http://127.0.0.1:${svc.port}`;
      locker = await createConnection({ uri: `${MYSQL_SERVER_URL}/${databaseName}` });
      await locker.query('LOCK TABLES articles WRITE');
      const inflight = fetch(`${base}/api/articles`).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as ArticlePage,
      }));
      // Signal once the service is serving it (it then waits on the lock), not after a guessed pause.
      await waitFor('the request to be in flight', 10_000, async () => ((await requestsInFlight(svc)) >= 1 ? true : undefined));

      svc.child.kill('SIGTERM');
      // main.ts logs this in the same tick that flips readiness: from then on /readyz must be 503.
      await waitFor('"shutting down" in the log', 10_000, () =>
        svc.output().includes('"msg":"shutting down"') ? true : undefined,
      );
      const ready = await fetch(`${base}/readyz`);
      assert.equal(ready.status, 503);
      assert.deepEqual((await ready.json()) as HealthBody, { status: 'shutting down' });

      // Let the request go only once the listener is closed: the drain must wait for it.
      await waitFor('the listener to close', 10_000, async () => ((await accepting(svc.port)) ? undefined : true));
      await locker.query('UNLOCK TABLES');
      const done = await inflight;
      assert.equal(done.status, 200, 'the in-flight request completes');
      assert.equal(done.body.articlesCount, 0);

      const exit = await svc.exited;
      assert.equal(exit.code, 0, svc.output());
      // Within the grace window by the service's own clock: past it, main.ts logs "drain window
      // exceeded" and exits before the drain reports "stopped".
      assert.match(svc.output(), /"msg":"stopped"/);
      assert.doesNotMatch(svc.output(), /drain window exceeded/);
    } finally {
      // Closing the session also releases its table lock if the test failed before UNLOCK.
      await locker?.end();
      if (svc.child.exitCode === null) svc.child.kill('SIGKILL');
    }
  });

  it('when NODE_ENV=production and JWT_SECRET is missing, then the process refuses to start', async () => {
    const svc = await spawnService({
      NODE_ENV: 'production',
      JWT_SECRET: '',
      DATABASE_URL: `${MYSQL_SERVER_URL}/${databaseName}`,
    });
    const exit = await svc.exited;
    assert.equal(exit.code, 1);
    assert.match(svc.output(), /JWT_SECRET is required/);
  });
});
