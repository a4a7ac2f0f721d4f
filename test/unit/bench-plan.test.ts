import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePlan } from '../../scripts/bench/plan.js';

describe('bench command line', () => {
  it('when no flags are given, then the full plan runs every scenario at 10, 25 and 50 VUs with a 5 s stall on a pool of 20', () => {
    const plan = parsePlan([]);
    assert.ok(plan);
    assert.deepEqual(plan.scenarios, ['mix', 'stall', 'pages']);
    assert.deepEqual(plan.concurrency, [10, 25, 50]);
    assert.equal(plan.repeats, 3);
    assert.equal(plan.stallMs, 5000);
    assert.equal(plan.poolSize, 20);
    assert.equal(plan.burst, 100);
    assert.deepEqual(plan.pageSizes, [1, 20, 100]);
    assert.deepEqual(plan.pageCacheModes, [false, true]);
    assert.equal(plan.source, 'dist');
    assert.equal(plan.json, false);
  });

  it('when --quick, then the plan shrinks, and explicit flags still win', () => {
    const plan = parsePlan(['--quick', '--burst', '30']);
    assert.ok(plan);
    assert.deepEqual(plan.concurrency, [10]);
    assert.equal(plan.repeats, 1);
    assert.equal(plan.burst, 30);
    assert.ok(plan.stallMs < 5000);
  });

  it('when --only lists scenarios, then they run in the fixed order', () => {
    assert.deepEqual(parsePlan(['--only', 'pages,mix'])?.scenarios, ['mix', 'pages']);
  });

  it('when a value is bad, then the error names the flag', () => {
    assert.throws(() => parsePlan(['--only', 'soak']), /unknown scenario "soak"/);
    assert.throws(() => parsePlan(['--concurrency', '10,x']), /--concurrency must be an integer/);
    assert.throws(() => parsePlan(['--page-sizes', '101']), /--page-sizes must be an integer from 1 to 100/);
    assert.throws(() => parsePlan(['--log-level', 'loud']), /--log-level/);
    assert.throws(() => parsePlan(['--nope']));
  });

  it('when --help, then there is no plan', () => {
    assert.equal(parsePlan(['--help']), undefined);
  });
});
