import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import type { ArticlePage, ErrorBody } from '../helpers/realworld.js';
import { createArticle, registerUser, startTestService, type TestService } from '../helpers/service.js';

/**
 * A deadline for tests where a request that hangs is the failure: the service promises answers
 * within its acquire (1 s) and statement (5 s) deadlines, and a 6 s lock is the longest stall
 * here. Generous on purpose: it catches a hang, it does not measure speed (that is the bench's).
 */
const HANG_DEADLINE = { timeout: 60_000 };

/**
 * The write-up's pool of 20 kept timing out. Here a stalled database (a 6 s table lock from
 * another session) must make excess requests fail fast with 503 + Retry-After, hang nobody past
 * the stall, and leave the service healthy the moment the lock goes.
 */
describe('pool exhaustion sheds load with 503s instead of queueing', () => {
  let t: TestService;
  const POOL_SIZE = 4;
  const LOCK_MS = 6000;

  before(async () => {
    t = await startTestService({
      REDIS_URL: '', // every read must reach MySQL
      DB_POOL_SIZE: String(POOL_SIZE),
      DB_ACQUIRE_TIMEOUT_MS: '1000',
      DB_STATEMENT_TIMEOUT_MS: '5000',
    });
    const u = await registerUser(t);
    await createArticle(t, u.token, { title: 'Before the stall' });
  });
  after(() => t.stop());

  it(
    'when a table is locked for 6 s, then excess requests are shed by the acquire timeout while it is held, and all recover after',
    HANG_DEADLINE,
    async () => {
      const shedBefore = await t.metric('http_requests_shed_total');
      const poolShedBefore = await t.metric('http_requests_shed_total', { reason: 'db_pool_timeout' });
      const timeoutsBefore = await t.metric('db_pool_acquire_timeouts_total');
      const locker = await createConnection({ uri: t.databaseUrl });
      await locker.query('LOCK TABLES articles WRITE');
      // Set just before UNLOCK is sent: an answer seen while it is false came while the table was locked.
      let unlocking = false;
      const unlocked = sleep(LOCK_MS).then(async () => {
        unlocking = true;
        await locker.query('UNLOCK TABLES');
      });

      const results = await Promise.all(
        Array.from({ length: 12 }, async () => {
          const res = await t.api<Partial<ErrorBody>>('GET', '/api/articles');
          return { status: res.status, retryAfter: res.headers.get('retry-after'), body: res.body, whileLocked: !unlocking };
        }),
      );
      await unlocked;
      await locker.end();

      const shed = results.filter((r) => r.status === 503);
      const served = results.filter((r) => r.status === 200);
      assert.equal(shed.length + served.length, results.length, `unexpected statuses: ${results.map((r) => r.status).join(',')}`);
      // 4 requests hold the 4 connections; the other 8 must be refused without waiting for the lock
      // to go, and refused by the acquire deadline itself (reason db_pool_timeout), not by anything slower.
      const shedWhileLocked = shed.filter((r) => r.whileLocked);
      assert.ok(shedWhileLocked.length >= 8, `503s while the table was locked: ${shedWhileLocked.length} of ${shed.length}`);
      for (const r of shed) {
        assert.equal(r.retryAfter, '1');
        assert.ok(r.body.errors, 'a 503 carries a JSON errors body');
      }
      assert.ok((await t.metric('http_requests_shed_total', { reason: 'db_pool_timeout' })) >= poolShedBefore + 8);
      // Nobody hangs past the stall: every request has been answered (Promise.all above, under
      // HANG_DEADLINE), and none still holds or waits for a connection, so the pool is whole at once.
      assert.equal(await t.metric('db_pool_connections', { state: 'active' }), 0, 'a connection still lent after the stall');
      assert.equal(await t.metric('db_pool_waiting'), 0, 'a request still waiting after the stall');

      // Recovery is immediate once the lock is gone: every request served, none shed, no pool
      // timeout (how fast they are served is the bench's business).
      const shedBeforeRecovery = await t.metric('http_requests_shed_total');
      const timeoutsBeforeRecovery = await t.metric('db_pool_acquire_timeouts_total');
      const after = await Promise.all(Array.from({ length: 8 }, () => t.api<ArticlePage>('GET', '/api/articles')));
      assert.deepEqual(
        after.map((r) => r.status),
        Array<number>(8).fill(200),
      );
      assert.equal(await t.metric('http_requests_shed_total'), shedBeforeRecovery, 'shed during recovery');
      assert.equal(await t.metric('db_pool_acquire_timeouts_total'), timeoutsBeforeRecovery, 'pool timeouts during recovery');
      for (const r of after) assert.equal(r.body.articlesCount, 1);

      assert.ok((await t.metric('http_requests_shed_total')) >= shedBefore + 8);
      assert.ok((await t.metric('http_requests_shed_total', { reason: 'db_pool_timeout' })) >= 8);
      assert.ok((await t.metric('db_pool_acquire_timeouts_total')) >= timeoutsBefore + 8);
      assert.equal(await t.metric('db_pool_waiting'), 0);
      assert.equal(await t.metric('db_pool_connections', { state: 'active' }), 0);
    },
  );

  it(
    'when the database stalls, then /readyz stays 200 (its own connection), so pods are not all pulled at once',
    HANG_DEADLINE,
    async () => {
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
    },
  );

  it(
    'when a statement exceeds the statement deadline, then 503 db_statement_timeout while the table is still locked, not 500',
    HANG_DEADLINE,
    async () => {
      const statementShedBefore = await t.metric('http_requests_shed_total', { reason: 'db_statement_timeout' });
      const poolShedBefore = await t.metric('http_requests_shed_total', { reason: 'db_pool_timeout' });
      const locker = await createConnection({ uri: t.databaseUrl });
      await locker.query('LOCK TABLES articles WRITE');
      try {
        // The lock is held until `finally`: an answer can only come from a deadline, and the shed
        // reasons say which one: the 5 s statement deadline, not the 1 s acquire timeout.
        const res = await t.api('GET', '/api/articles?limit=1');
        assert.equal(res.status, 503, res.text);
        assert.equal(await t.metric('http_requests_shed_total', { reason: 'db_statement_timeout' }), statementShedBefore + 1);
        assert.equal(
          await t.metric('http_requests_shed_total', { reason: 'db_pool_timeout' }),
          poolShedBefore,
          'shed by the acquire timeout',
        );
      } finally {
        await locker.query('UNLOCK TABLES');
        await locker.end();
      }
    },
  );
});
