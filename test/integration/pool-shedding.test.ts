import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { createConnection } from 'mysql2/promise';
import { createArticle, registerUser, startTestService, type TestService } from '../helpers/service.js';

/**
 * The write-up's pool of 20 kept timing out. Here a stalled database (a 6 s table lock from
 * another session) must make excess requests fail fast with 503 + Retry-After, hang nobody past
 * the stall, and leave the service healthy the moment the lock goes.
 */
describe('pool exhaustion sheds load with fast 503s', () => {
  let t: TestService;
  const ACQUIRE_TIMEOUT_MS = 1000;
  const LOCK_MS = 6000;

  before(async () => {
    t = await startTestService({
      REDIS_URL: '', // every read must reach MySQL
      DB_POOL_SIZE: '4',
      DB_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS),
      DB_STATEMENT_TIMEOUT_MS: '5000',
    });
    const u = await registerUser(t);
    await createArticle(t, u.token, { title: 'Before the stall' });
  });
  after(() => t.stop());

  it('when a table is locked for 6 s, then excess requests answer 503 within the acquire timeout and all recover after', async () => {
    const shedBefore = await t.metric('http_requests_shed_total');
    const timeoutsBefore = await t.metric('db_pool_acquire_timeouts_total');
    const locker = await createConnection({ uri: t.databaseUrl });
    await locker.query('LOCK TABLES articles WRITE');
    const lockedAt = performance.now();
    const unlock = new Promise<number>((resolve) =>
      setTimeout(async () => {
        await locker.query('UNLOCK TABLES');
        resolve(performance.now());
      }, LOCK_MS),
    );

    const results = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const started = performance.now();
        const res = await t.api('GET', '/api/articles');
        return {
          status: res.status,
          retryAfter: res.headers.get('retry-after'),
          body: res.body,
          ms: performance.now() - started,
        };
      }),
    );
    const unlockedAt = await unlock;
    await locker.end();

    const shed = results.filter((r) => r.status === 503);
    const served = results.filter((r) => r.status === 200);
    assert.equal(shed.length + served.length, results.length, `unexpected statuses: ${results.map((r) => r.status).join(',')}`);
    // 4 requests hold the 4 connections; the other 8 must be shed by the acquire timeout.
    const fastSheds = shed.filter((r) => r.ms < ACQUIRE_TIMEOUT_MS + 700);
    assert.ok(fastSheds.length >= 8, `fast 503s: ${fastSheds.length}; timings ${shed.map((r) => Math.round(r.ms)).join(',')}`);
    for (const r of shed) {
      assert.equal(r.retryAfter, '1');
      assert.ok(r.body.errors, 'a 503 carries a JSON errors body');
    }
    const stall = unlockedAt - lockedAt;
    for (const r of results)
      assert.ok(r.ms < stall + 1000, `a request took ${Math.round(r.ms)} ms, past the ${Math.round(stall)} ms stall`);

    // Recovery is immediate once the lock is gone.
    const startedAfter = performance.now();
    const after = await Promise.all(Array.from({ length: 8 }, () => t.api('GET', '/api/articles')));
    assert.deepEqual(
      after.map((r) => r.status),
      Array(8).fill(200),
    );
    assert.ok(performance.now() - startedAfter < 1000);
    assert.equal(after[0]!.body.articlesCount, 1);

    assert.ok((await t.metric('http_requests_shed_total')) >= shedBefore + 8);
    assert.ok((await t.metric('http_requests_shed_total', { reason: 'db_pool_timeout' })) >= 8);
    assert.ok((await t.metric('db_pool_acquire_timeouts_total')) >= timeoutsBefore + 8);
    assert.equal(await t.metric('db_pool_waiting'), 0);
    assert.equal(await t.metric('db_pool_connections', { state: 'active' }), 0);
  });

  it('when the database stalls, then /readyz stays 200 (its own connection), so pods are not all pulled at once', async () => {
    const locker = await createConnection({ uri: t.databaseUrl });
    await locker.query('LOCK TABLES articles WRITE');
    try {
      const inflight = Array.from({ length: 6 }, () => t.api('GET', '/api/articles'));
      const ready = await t.api('GET', '/readyz');
      assert.equal(ready.status, 200);
      await locker.query('UNLOCK TABLES');
      await Promise.all(inflight);
    } finally {
      await locker.end();
    }
  });

  it('when statements exceed the deadline, then 503 db_statement_timeout, not 500', async () => {
    const locker = await createConnection({ uri: t.databaseUrl });
    await locker.query('LOCK TABLES articles WRITE');
    try {
      const started = performance.now();
      const res = await t.api('GET', '/api/articles?limit=1');
      const ms = performance.now() - started;
      assert.equal(res.status, 503, res.text);
      assert.ok(ms >= 4000 && ms < 6500, `took ${Math.round(ms)} ms`);
      assert.ok((await t.metric('http_requests_shed_total', { reason: 'db_statement_timeout' })) >= 1);
    } finally {
      await locker.query('UNLOCK TABLES');
      await locker.end();
    }
  });
});
