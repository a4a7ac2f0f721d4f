import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kneeLadder, parsePlan } from '../../scripts/bench/plan.js';

describe('bench command line', () => {
  it('when no flags are given, then every scenario runs: wrk steps of 8 s at 64 connections, reads three times over, the mix at 16/64/256, a 5 s stall on a pool of 20', () => {
    const plan = parsePlan([]);
    assert.ok(plan);
    assert.deepEqual(plan.scenarios, ['reads', 'mix', 'knee', 'signup', 'stall', 'pages']);
    assert.equal(plan.durationSeconds, 8);
    assert.equal(plan.connections, 64);
    assert.equal(plan.readRepeats, 3);
    assert.equal(plan.threads, 1);
    assert.deepEqual(plan.mixConnections, [16, 64, 256]);
    assert.deepEqual(plan.kneeConnections, [16, 32, 64, 128, 256, 512, 1024, 2048]);
    assert.equal(plan.postEvery, 6);
    assert.equal(plan.articles, 40);
    assert.equal(plan.bodyBytes, 600);
    assert.deepEqual(plan.concurrency, [10, 25, 50]);
    assert.equal(plan.repeats, 3);
    assert.equal(plan.stallMs, 5000);
    assert.equal(plan.poolSize, 20);
    assert.equal(plan.burst, 100);
    assert.deepEqual(plan.pageSizes, [1, 20, 100]);
    assert.deepEqual(plan.pageCacheModes, [false, true]);
    assert.equal(plan.svgDir, 'docs/bench');
    assert.equal(plan.cpuProfile, false);
    assert.equal(plan.source, 'dist');
    assert.equal(plan.json, false);
  });

  it('when --quick, then the plan shrinks (short steps, fewer knee points, plots to the temp dir), and explicit flags still win', () => {
    const plan = parsePlan(['--quick', '--burst', '30', '--duration', '3']);
    assert.ok(plan);
    assert.equal(plan.durationSeconds, 3);
    assert.equal(plan.readRepeats, 1);
    assert.deepEqual(plan.kneeConnections, [16, 64, 256, 1024]);
    assert.deepEqual(plan.concurrency, [10]);
    assert.equal(plan.repeats, 1);
    assert.equal(plan.burst, 30);
    assert.ok(plan.stallMs < 5000);
    assert.equal(plan.svgDir, undefined);
  });

  it('when --only lists scenarios, then they run in the fixed order; the old "mix" with sign-ups is "signup"', () => {
    assert.deepEqual(parsePlan(['--only', 'pages,signup,reads'])?.scenarios, ['reads', 'signup', 'pages']);
    assert.equal(parsePlan(['--only', 'reads'])?.svgDir, undefined, 'a partial run does not replace the committed plots');
    assert.equal(parsePlan(['--only', 'reads', '--svg-dir', '/tmp/p'])?.svgDir, '/tmp/p');
    assert.throws(() => parsePlan(['--only', 'soak']), /unknown scenario "soak".*now "signup"/);
  });

  it('when the knee ladder is built, then it holds the mix points and doublings up to the maximum, ascending', () => {
    assert.deepEqual(kneeLadder([16, 64, 256], 512, 2), [16, 32, 64, 128, 256, 512]);
    assert.deepEqual(kneeLadder([10, 100], 100, 4), [10, 40, 100]);
    assert.deepEqual(parsePlan(['--mix-connections', '64,16', '--knee-max', '64'])?.kneeConnections, [16, 32, 64]);
  });

  it('when a value is bad, then the error names the flag', () => {
    assert.throws(() => parsePlan(['--concurrency', '10,x']), /--concurrency must be an integer/);
    assert.throws(() => parsePlan(['--page-sizes', '101']), /--page-sizes must be an integer from 1 to 100/);
    assert.throws(() => parsePlan(['--duration', '0']), /--duration must be an integer from 1/);
    assert.throws(() => parsePlan(['--post-every', '1']), /--post-every/);
    assert.throws(() => parsePlan(['--log-level', 'loud']), /--log-level/);
    assert.throws(() => parsePlan(['--nope']));
  });

  it('when --cpu-prof or --help, then the plan says so', () => {
    assert.equal(parsePlan(['--cpu-prof'])?.cpuProfile, true);
    assert.equal(parsePlan(['--cpu-prof'])?.cpuProfileLoad, 'anonymous');
    assert.equal(parsePlan(['--cpu-prof', '--signed-in'])?.cpuProfileLoad, 'signed-in');
    assert.equal(parsePlan(['--cpu-prof', '--mix'])?.cpuProfileLoad, 'mix');
    assert.throws(() => parsePlan(['--signed-in']), /--cpu-prof only/);
    assert.throws(() => parsePlan(['--mix']), /--cpu-prof only/);
    assert.throws(() => parsePlan(['--cpu-prof', '--mix', '--signed-in']), /not both/);
    assert.equal(parsePlan(['--help']), undefined);
  });

  it('when --node-options= is given, then the service gets exactly those NODE_OPTIONS; empty means none', () => {
    const flags = '--max-old-space-size=256 --max-semi-space-size=1';
    assert.equal(parsePlan([`--node-options=${flags}`])?.nodeOptions, flags);
    assert.equal(parsePlan(['--node-options=  '])?.nodeOptions, undefined);
  });
});
