/**
 * Figures derived from the measured steps (pure; test/unit/bench-summary.test.ts): ratios to the
 * ceiling, the knee, and the issue's targets with pass/fail.
 */
import { median } from './format.js';
import type { ReadStep } from './steps.js';
import type { StepResult } from './step.js';

export const P99_LIMIT_MS = 400;

/**
 * The ceiling's requests/s around step `i` of a read sequence: the mean of the ceiling runs right
 * before and right after it (one of them when the other is missing or failed).
 */
export function neighbourCeiling(
  sequence: readonly ReadStep[],
  requestsPerSecond: readonly (number | undefined)[],
  i: number,
): number | undefined {
  const around = [i - 1, i + 1]
    .filter((j) => sequence[j]?.target === 'ceiling')
    .map((j) => requestsPerSecond[j])
    .filter((v): v is number => v !== undefined && v > 0);
  return around.length === 0 ? undefined : around.reduce((a, b) => a + b, 0) / around.length;
}

type Judged = Pick<StepResult, 'latencyMs' | 'errors'> & Partial<Pick<StepResult, 'serverErrors'>>;

/**
 * A step's errors: wrk's (status >= 400 and socket errors) or the service's count of answers with
 * status >= 400, whichever is larger (the service also answers requests wrk stopped waiting for).
 */
export function stepErrors(step: Judged): number {
  return Math.max(step.errors.total, step.serverErrors ?? 0);
}

/** Why a mix step is past the knee (p99 over the limit, or any error), or undefined. */
export function pastKnee(step: Judged, p99LimitMs = P99_LIMIT_MS): string | undefined {
  const errors = stepErrors(step);
  if (errors > 0) return `${errors} errors`;
  if (step.latencyMs.p99 > p99LimitMs) return `p99 ${step.latencyMs.p99.toFixed(0)} ms > ${p99LimitMs} ms`;
  return undefined;
}

export interface Knee {
  /** The first connection count past the knee, and why; undefined if none was reached. */
  connections: number | undefined;
  reason: string | undefined;
  /** The highest connection count that was still fine. */
  lastGood: number | undefined;
}

export function findKnee(points: readonly (Judged & Pick<StepResult, 'connections'>)[]): Knee {
  const sorted = [...points].sort((a, b) => a.connections - b.connections);
  let lastGood: number | undefined;
  for (const p of sorted) {
    const reason = pastKnee(p);
    if (reason) return { connections: p.connections, reason, lastGood };
    lastGood = p.connections;
  }
  return { connections: undefined, reason: undefined, lastGood };
}

/** A read scenario's ratio over its repetitions: the median. */
export function medianRatio(ratios: readonly (number | undefined)[]): number | undefined {
  return median(ratios.filter((r): r is number => r !== undefined));
}

export interface TargetCheck {
  target: string;
  measured: string;
  pass: boolean | undefined;
}

export interface TargetInputs {
  anonymousRatio: number | undefined;
  signedInRatio: number | undefined;
  mix64: Judged | undefined;
  mix256: (Judged & Pick<StepResult, 'poolAcquireTimeouts'>) | undefined;
  /** Peak RSS of the throughput service (reads, mix, knee): VmHWM. */
  throughputPeakRssBytes: number | undefined;
  /** The same from the first wrk step on (seeding's sign-ups left out), when known. */
  servingPeakRssBytes?: number | undefined;
  poolSize: number;
}

/** The issue says MB: 10^6 bytes (the tables print MB too). */
const MB = 1e6;

/** The issue's targets, judged. `pass` is undefined when the scenario did not run. */
export function checkTargets(t: TargetInputs): TargetCheck[] {
  const x = (r: number | undefined) => (r === undefined ? '–' : `${r.toFixed(2)}x`);
  const checks: TargetCheck[] = [
    {
      target: 'warm anonymous list >= 0.6x ceiling',
      measured: x(t.anonymousRatio),
      pass: t.anonymousRatio === undefined ? undefined : t.anonymousRatio >= 0.6,
    },
    {
      target: 'signed-in list >= 0.4x ceiling',
      measured: x(t.signedInRatio),
      pass: t.signedInRatio === undefined ? undefined : t.signedInRatio >= 0.4,
    },
  ];
  const m64 = t.mix64;
  checks.push({
    target: 'mix at 64 connections: 0 errors, p99 <= 50 ms',
    measured: m64 ? `${stepErrors(m64)} errors, p99 ${m64.latencyMs.p99.toFixed(1)} ms` : '–',
    pass: m64 ? stepErrors(m64) === 0 && m64.latencyMs.p99 <= 50 : undefined,
  });
  const m256 = t.mix256;
  checks.push({
    target: `mix at 256 connections, pool of ${t.poolSize}: 0 errors, 0 pool acquire timeouts, p99 < 400 ms`,
    measured: m256
      ? `${stepErrors(m256)} errors, ${m256.poolAcquireTimeouts ?? '–'} acquire timeouts, p99 ${m256.latencyMs.p99.toFixed(0)} ms`
      : '–',
    pass: m256 ? stepErrors(m256) === 0 && m256.poolAcquireTimeouts === 0 && m256.latencyMs.p99 < P99_LIMIT_MS : undefined,
  });
  checks.push({
    target: 'peak RSS < 150 MB (throughput service, whole run)',
    measured:
      t.throughputPeakRssBytes === undefined
        ? '–'
        : `${(t.throughputPeakRssBytes / MB).toFixed(0)} MB${t.servingPeakRssBytes === undefined ? '' : ` (${(t.servingPeakRssBytes / MB).toFixed(0)} MB from the first wrk step on)`}`,
    pass: t.throughputPeakRssBytes === undefined ? undefined : t.throughputPeakRssBytes < 150 * MB,
  });
  return checks;
}
