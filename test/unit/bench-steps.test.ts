import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePlan } from '../../scripts/bench/plan.js';
import { formatDuration, ProgressTracker, remainingSeconds } from '../../scripts/bench/progress.js';
import { ladderFor, plannedSteps, readSequence } from '../../scripts/bench/steps.js';

describe('bench steps and progress', () => {
  it('when read scenarios are sequenced, then the ceiling runs before and after each one, shared between neighbours', () => {
    const seq = readSequence(['list-anonymous', 'article'], 2).map((s) => (s.target === 'ceiling' ? 'C' : s.scenario));
    assert.deepEqual(seq, ['C', 'list-anonymous', 'C', 'article', 'C', 'list-anonymous', 'C', 'article', 'C']);
    assert.deepEqual(readSequence([], 1), []);
  });

  it('when the mix and the knee both run, then the ladder is their union, ascending; either alone gives its own points', () => {
    const plan = { mixConnections: [16, 64, 256], kneeConnections: [16, 32, 64, 128, 256, 512] };
    assert.deepEqual(ladderFor({ ...plan, scenarios: ['mix', 'knee'] }), [16, 32, 64, 128, 256, 512]);
    assert.deepEqual(ladderFor({ ...plan, scenarios: ['mix'] }), [16, 64, 256]);
    assert.deepEqual(ladderFor({ ...plan, scenarios: ['reads'] }), []);
  });

  it('when a plan is laid out, then every step has a unique key and an estimate, in the order the scenarios run', () => {
    const plan = parsePlan(['--quick']);
    assert.ok(plan);
    const steps = plannedSteps(plan);
    assert.equal(new Set(steps.map((s) => s.key)).size, steps.length);
    assert.ok(steps.every((s) => s.estimateSeconds > 0));
    assert.deepEqual(
      steps.slice(0, 3).map((s) => s.key),
      ['setup', 'reads:warm', 'reads:0'],
    );
    assert.ok(steps.findIndex((s) => s.key === 'ladder:16') < steps.findIndex((s) => s.key.startsWith('signup:')));
    assert.equal(steps.at(-1)?.key, 'pages:off');
    const profile = parsePlan(['--cpu-prof']);
    assert.ok(profile);
    assert.deepEqual(
      plannedSteps(profile).map((s) => s.key),
      ['setup', 'profile', 'ceiling'],
    );
    const mixProfile = parsePlan(['--cpu-prof', '--mix']);
    assert.ok(mixProfile);
    assert.deepEqual(
      plannedSteps(mixProfile).map((s) => s.key),
      ['setup', 'profile'],
      'the mix has no ceiling to compare with',
    );
  });

  it('when durations are shown, then they read as 45s, 4m10s, 1h02m', () => {
    assert.equal(formatDuration(44.6), '45s');
    assert.equal(formatDuration(250), '4m10s');
    assert.equal(formatDuration(3720), '1h02m');
    assert.equal(formatDuration(-3), '0s');
  });

  it('when finished steps ran slower than planned, then the time left scales up by that factor, within bounds', () => {
    assert.equal(remainingSeconds(100, 0, 0), 100);
    assert.equal(remainingSeconds(100, 50, 100), 200);
    assert.equal(remainingSeconds(100, 10, 1000), 400);
    assert.equal(remainingSeconds(100, 100, 1), 50);
  });

  it('when steps begin, then each line counts them and the time left; skipped steps leave the count', () => {
    let now = 0;
    const lines: string[] = [];
    const tracker = new ProgressTracker(
      [
        { key: 'a', label: 'first', estimateSeconds: 10 },
        { key: 'b', label: 'second', estimateSeconds: 10 },
        { key: 'c', label: 'third', estimateSeconds: 10 },
        { key: 'd', label: 'fourth', estimateSeconds: 10 },
      ],
      (l) => lines.push(l),
      () => now,
    );
    tracker.begin('a');
    now = 20_000; // took twice its estimate: what is left is expected to, too
    tracker.begin('b');
    tracker.skip(['d']);
    now = 40_000;
    tracker.begin('c');
    assert.deepEqual(lines, ['step 1/4 first, ~40s left', 'step 2/4 second, ~1m00s left', 'step 3/3 third, ~20s left']);
  });
});
