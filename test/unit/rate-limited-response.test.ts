import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toErrorResponse } from '../../app/http/errors.js';
import { RateLimitedError, SHED_REASONS } from '../../app/platform/errors.js';

describe('error mapping of refusals', () => {
  it('when a client is over its budget, then 429 with Retry-After, an errors.rate sentence and shed reason rate_limited', () => {
    const res = toErrorResponse(new RateLimitedError(42));
    assert.equal(res.status, 429);
    assert.equal(res.headers['Retry-After'], '42');
    assert.deepEqual(res.errors, { rate: ['too many requests, retry in 42 s'] });
    assert.equal(res.shedReason, 'rate_limited');
    assert.ok(SHED_REASONS.includes('rate_limited'));
    assert.equal(res.unexpected, false);
  });

  it('when a method is not served on a path, then 405 says so under "method"', () => {
    for (const status of [405, 501]) {
      const res = toErrorResponse(Object.assign(new Error('Method Not Allowed'), { status, expose: true }));
      assert.deepEqual([res.status, res.errors], [405, { method: ['not allowed'] }]);
    }
  });
});
