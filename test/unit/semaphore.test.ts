import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toErrorResponse } from '../../app/http/errors.js';
import { ShedError } from '../../app/platform/errors.js';
import { Semaphore } from '../../app/platform/semaphore.js';

const reasons = { queueFull: 'db_queue_full', timeout: 'db_pool_timeout', closed: 'db_unavailable' } as const;

describe('Semaphore (bounded in length and in time)', () => {
  it('when permits are free, then acquire is immediate; release hands the permit to the oldest waiter', async () => {
    const s = new Semaphore({ size: 1, queueLimit: 5, waitTimeoutMs: 1000, reasons });
    await s.acquire();
    const order: string[] = [];
    const a = s.acquire().then(() => order.push('a'));
    const b = s.acquire().then(() => order.push('b'));
    assert.equal(s.waiting, 2);
    s.release();
    await a;
    assert.equal(s.active, 1, 'a hand-off keeps the holder count');
    s.release();
    await b;
    s.release();
    assert.deepEqual(order, ['a', 'b']);
    assert.equal(s.active, 0);
  });

  it('when the queue is full, then the next acquire is refused at once with the queue-full reason', async () => {
    const s = new Semaphore({ size: 1, queueLimit: 1, waitTimeoutMs: 1000, reasons });
    await s.acquire();
    const waiting = s.acquire();
    await assert.rejects(s.acquire(), (e: unknown) => e instanceof ShedError && e.reason === 'db_queue_full');
    s.release();
    await waiting;
  });

  it('when a wait passes the deadline, then it is refused with the timeout reason and counted', async () => {
    let timeouts = 0;
    const s = new Semaphore({ size: 1, queueLimit: 5, waitTimeoutMs: 50, reasons, onTimeout: () => (timeouts += 1) });
    await s.acquire();
    const started = Date.now();
    await assert.rejects(
      s.acquire(),
      (e: unknown) => e instanceof ShedError && e.reason === 'db_pool_timeout' && toErrorResponse(e).status === 503,
    );
    assert.ok(Date.now() - started < 500);
    assert.equal(timeouts, 1);
    assert.equal(s.waiting, 0);
  });

  it('run releases the permit even when the work throws', async () => {
    const s = new Semaphore({ size: 1, queueLimit: 0, waitTimeoutMs: 10, reasons });
    await assert.rejects(
      s.run(() => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(s.active, 0);
    assert.equal(await s.run(() => Promise.resolve(7)), 7);
  });
});
