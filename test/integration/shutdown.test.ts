import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { createConnection } from 'mysql2/promise';
import { spawnService, waitForReady } from '../helpers/process.js';
import { dropDatabase, MYSQL_SERVER_URL, uniqueDatabaseName } from '../helpers/service.js';

describe('graceful shutdown on SIGTERM', () => {
  const databaseName = uniqueDatabaseName('blog_shutdown');
  after(() => dropDatabase(databaseName));

  it('when SIGTERM arrives mid-request, then /readyz is 503 at once, the request finishes and the exit code is 0 within the grace window', async () => {
    const graceMs = 5000;
    const svc = await spawnService({
      DATABASE_URL: `${MYSQL_SERVER_URL}/${databaseName}`,
      REDIS_URL: '',
      SHUTDOWN_GRACE_MS: String(graceMs),
      JWT_SECRET: 'shutdown-test-secret-0123456789',
    });
    try {
      await waitForReady(svc.port);
      const base = `http://127.0.0.1:${svc.port}`;
      const locker = await createConnection({ uri: `${MYSQL_SERVER_URL}/${databaseName}` });
      await locker.query('LOCK TABLES articles WRITE');
      const inflight = fetch(`${base}/api/articles`).then(async (r) => ({ status: r.status, body: await r.json() }));
      await new Promise((r) => setTimeout(r, 300)); // the request is now waiting on the lock

      const signalledAt = performance.now();
      svc.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 100));
      const ready = await fetch(`${base}/readyz`);
      assert.equal(ready.status, 503);
      assert.deepEqual(await ready.json(), { status: 'shutting down' });

      setTimeout(() => void locker.query('UNLOCK TABLES').then(() => locker.end()), 1200);
      const done = await inflight;
      assert.equal(done.status, 200, 'the in-flight request completes');
      assert.equal(done.body.articlesCount, 0);

      const exit = await svc.exited;
      const ms = performance.now() - signalledAt;
      assert.equal(exit.code, 0, svc.output());
      assert.ok(ms < graceMs, `exit took ${Math.round(ms)} ms`);
      console.log(`exit ${Math.round(ms)} ms after SIGTERM`);
      assert.match(svc.output(), /"msg":"stopped"/);
    } finally {
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
