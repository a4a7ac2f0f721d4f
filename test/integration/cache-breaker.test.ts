import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CircuitBreaker } from '../../app/cache/circuit-breaker.js';

/** A probe the test finishes by hand, so a failure can be reported at an exact point of it. */
function manualProbe() {
  const calls: { finish: () => void }[] = [];
  return {
    calls,
    probe: () =>
      new Promise<void>((resolve) => {
        calls.push({ finish: resolve });
      }),
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

describe('circuit breaker: failures reported while a probe runs', () => {
  it('when open() is called after the probe checked for failed writes, then that probe does not close the breaker', async () => {
    const { calls, probe } = manualProbe();
    const breaker = new CircuitBreaker({ failureThreshold: 3, retryMs: 5, probe });
    try {
      breaker.open();
      await until(() => calls.length === 1, 'the first probe');
      // The probe has decided (e.g. "no write failed, no new epoch needed"); a write now fails
      // because the breaker is still open, and reports it. Then the probe's success arrives.
      breaker.open();
      calls[0]!.finish();
      await sleep(1);
      assert.equal(breaker.isClosed, false, 'a probe that began before a reported failure closed the breaker');
      // The next probe sees the failure (it starts after it) and may close.
      await until(() => calls.length === 2, 'the next probe');
      calls[1]!.finish();
      await until(() => breaker.isClosed, 'the breaker to close');
    } finally {
      breaker.stop();
    }
  });

  it('when nothing is reported during the probe, then its success closes the breaker', async () => {
    const { calls, probe } = manualProbe();
    const breaker = new CircuitBreaker({ failureThreshold: 3, retryMs: 5, probe });
    try {
      breaker.open();
      await until(() => calls.length === 1, 'the first probe');
      calls[0]!.finish();
      await until(() => breaker.isClosed, 'the breaker to close');
      assert.equal(calls.length, 1);
    } finally {
      breaker.stop();
    }
  });
});
