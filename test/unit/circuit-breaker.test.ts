import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { CircuitBreaker } from '../../app/cache/circuit-breaker.js';
import { must } from '../helpers/must.js';

/** A probe the test finishes by hand, so a failure can be reported at an exact point of it. */
function manualProbe(): { calls: { finish: () => void }[]; probe: () => Promise<void> } {
  const calls: { finish: () => void }[] = [];
  return {
    calls,
    probe: () =>
      new Promise<void>((resolve) => {
        calls.push({ finish: resolve });
      }),
  };
}

/** Lets every settled promise's callbacks run (setImmediate is not mocked: it runs after them). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const RETRY_MS = 5;

/**
 * The breaker's retry interval runs on mocked timers: each probe starts when the test ticks the
 * clock, so the order of probe, failure and success is set by the test, not by a busy machine.
 */
function breakerWithManualProbe(t: TestContext): { breaker: CircuitBreaker; calls: { finish: () => void }[] } {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const { calls, probe } = manualProbe();
  const breaker = new CircuitBreaker({ failureThreshold: 3, retryMs: RETRY_MS, probe });
  t.after(() => {
    breaker.stop();
  });
  return { breaker, calls };
}

describe('circuit breaker: failures reported while a probe runs', () => {
  it('when open() is called after the probe checked for failed writes, then that probe does not close the breaker', async (t) => {
    const { breaker, calls } = breakerWithManualProbe(t);
    breaker.open();
    t.mock.timers.tick(RETRY_MS);
    assert.equal(calls.length, 1, 'the first probe started');
    // The probe has decided (e.g. "no write failed, no new epoch needed"); a write now fails
    // because the breaker is still open, and reports it. Then the probe's success arrives.
    breaker.open();
    must(calls[0], 'the first probe').finish();
    await settle();
    assert.equal(breaker.isClosed, false, 'a probe that began before a reported failure closed the breaker');
    // The next probe sees the failure (it starts after it) and may close.
    t.mock.timers.tick(RETRY_MS);
    assert.equal(calls.length, 2, 'the next probe started');
    must(calls[1], 'the next probe').finish();
    await settle();
    assert.equal(breaker.isClosed, true, 'the next probe closed the breaker');
  });

  it('when nothing is reported during the probe, then its success closes the breaker', async (t) => {
    const { breaker, calls } = breakerWithManualProbe(t);
    breaker.open();
    t.mock.timers.tick(RETRY_MS);
    assert.equal(calls.length, 1, 'the first probe started');
    must(calls[0], 'the first probe').finish();
    await settle();
    assert.equal(breaker.isClosed, true, 'the probe closed the breaker');
    assert.equal(calls.length, 1);
  });
});
