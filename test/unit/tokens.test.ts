import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { createTokenService } from '../../app/modules/users/tokens.js';
import { ApiError } from '../../app/platform/errors.js';

/** The 401's message, or 'accepted'. */
async function outcome(verify: Promise<number>): Promise<string> {
  try {
    await verify;
    return 'accepted';
  } catch (err) {
    assert.ok(err instanceof ApiError && err.status === 401, `a 401, not ${String(err)}`);
    return err.errors.token?.[0] ?? '';
  }
}

describe('tokens', () => {
  it('when a token is verified twice, then both times it names its user; a forged or foreign one is refused every time', async () => {
    const tokens = createTokenService('a-secret-that-is-long-enough', 60);
    const token = await tokens.sign(42);
    assert.equal(await tokens.verify(token), 42);
    assert.equal(await tokens.verify(token), 42, 'a remembered token');
    const forged = `${token.slice(0, -4)}AAAA`;
    for (let i = 0; i < 2; i += 1) assert.equal(await outcome(tokens.verify(forged)), 'invalid token');
    const foreign = createTokenService('another-secret-long-enough', 60);
    assert.equal(await outcome(foreign.verify(token)), 'invalid token');
  });

  it('when a remembered token passes its expiry, then it is refused as expired', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    try {
      const tokens = createTokenService('a-secret-that-is-long-enough', 60);
      const token = await tokens.sign(7);
      assert.equal(await tokens.verify(token), 7);
      mock.timers.tick(61_000);
      assert.equal(await outcome(tokens.verify(token)), 'token expired');
      assert.equal(await outcome(tokens.verify(token)), 'token expired', 'and stays refused once forgotten');
    } finally {
      mock.timers.reset();
    }
  });
});
