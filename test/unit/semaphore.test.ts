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

  it('when a wait passes the deadline, then it is refused with the timeout reason at the deadline and counted', async (t) => {
    // Mocked timers: the deadline is checked by the clock the test moves, not by how busy the machine is.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let timeouts = 0;
    const s = new Semaphore({ size: 1, queueLimit: 5, waitTimeoutMs: 50, reasons, onTimeout: () => (timeouts += 1) });
    await s.acquire();
    let settled = false;
    const outcome = s.acquire().then(
      () => 'granted',
      (e: unknown) => e,
    );
    void outcome.finally(() => {
      settled = true;
    });
    t.mock.timers.tick(49);
    await new Promise((resolve) => setImmediate(resolve)); // every callback due by now has run
    assert.equal(settled, false, 'refused before the deadline');
    assert.equal(s.waiting, 1);
    // The permit is never released: only the deadline can end this wait.
    t.mock.timers.tick(1);
    const refusal = await outcome;
    assert.ok(
      refusal instanceof ShedError && refusal.reason === 'db_pool_timeout' && toErrorResponse(refusal).status === 503,
      `refused with ${String(refusal)}`,
    );
    assert.equal(timeouts, 1);
    assert.equal(s.waiting, 0);
  });

  it('when the work run with a permit throws, then the permit is released all the same', async () => {
    const s = new Semaphore({ size: 1, queueLimit: 0, waitTimeoutMs: 10, reasons });
    await assert.rejects(
      s.run(() => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(s.active, 0);
    assert.equal(await s.run(() => Promise.resolve(7)), 7);
  });
});
