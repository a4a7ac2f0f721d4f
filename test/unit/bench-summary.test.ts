import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReadStep } from '../../scripts/bench/steps.js';
import { checkTargets, findKnee, medianRatio, neighbourCeiling, pastKnee, stepErrors } from '../../scripts/bench/summary.js';

const step = (connections: number, p99: number, errors = 0) => ({
  connections,
  latencyMs: { min: 0, mean: 0, p50: p99 / 4, p90: p99 / 2, p99, p999: p99, max: p99 },
  errors: { status: errors, socket: 0, total: errors },
  poolAcquireTimeouts: 0,
});

describe('bench summary', () => {
  it('when a scenario sits between two ceiling runs, then its ceiling is their mean; a missing neighbour leaves the other', () => {
    const sequence: ReadStep[] = [
      { target: 'ceiling', repeat: 1 },
      { target: 'service', scenario: 'list-anonymous', repeat: 1 },
      { target: 'ceiling', repeat: 1 },
      { target: 'service', scenario: 'list-tag', repeat: 1 },
      { target: 'ceiling', repeat: 1 },
    ];
    assert.equal(neighbourCeiling(sequence, [10_000, 2_000, 12_000, 1_500, 11_000], 1), 11_000);
    assert.equal(neighbourCeiling(sequence, [10_000, 2_000, undefined, 1_500, 11_000], 1), 10_000);
    assert.equal(neighbourCeiling(sequence, [undefined, 2_000, undefined], 1), undefined);
  });

  it('when a mix step has errors or p99 over 400 ms, then it is past the knee, and the knee is the first such step', () => {
    assert.equal(pastKnee(step(64, 399)), undefined);
    assert.equal(pastKnee(step(64, 401)), 'p99 401 ms > 400 ms');
    assert.equal(pastKnee(step(64, 10, 2)), '2 errors');
    assert.deepEqual(findKnee([step(256, 900), step(16, 20), step(64, 60), step(128, 450)]), {
      connections: 128,
      reason: 'p99 450 ms > 400 ms',
      lastGood: 64,
    });
    assert.deepEqual(findKnee([step(16, 20)]), { connections: undefined, reason: undefined, lastGood: 16 });
  });

  it("when the service counted more answers >= 400 than wrk (requests cut off at the end), then the larger count is the step's errors", () => {
    assert.equal(stepErrors({ ...step(256, 100, 2), serverErrors: 67 }), 67);
    assert.equal(stepErrors({ ...step(256, 100, 5), serverErrors: 0 }), 5);
    assert.equal(stepErrors(step(256, 100, 1)), 1);
    assert.equal(pastKnee({ ...step(64, 100), serverErrors: 3 }), '3 errors');
  });

  it('when repetitions give ratios, then the median of the known ones counts', () => {
    assert.equal(medianRatio([0.2, undefined, 0.4]), 0.30000000000000004);
    assert.equal(medianRatio([undefined]), undefined);
  });

  it("when the issue's targets are checked, then each passes or fails on its own rule, and a missing scenario is 'not run'", () => {
    const checks = checkTargets({
      anonymousRatio: 0.6,
      signedInRatio: 0.39,
      mix64: step(64, 50),
      mix256: { ...step(256, 300), poolAcquireTimeouts: 1 },
      throughputPeakRssBytes: 149e6,
      poolSize: 20,
    });
    assert.deepEqual(
      checks.map((c) => c.pass),
      [true, false, true, false, true],
    );
    assert.match(checks[3]?.measured ?? '', /1 acquire timeouts/);
    const none = checkTargets({
      anonymousRatio: undefined,
      signedInRatio: undefined,
      mix64: undefined,
      mix256: undefined,
      throughputPeakRssBytes: 151e6,
      poolSize: 20,
    });
    assert.deepEqual(
      none.map((c) => c.pass),
      [undefined, undefined, undefined, undefined, false],
    );
  });
});
