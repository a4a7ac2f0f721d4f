/**
 * Overall progress of a bench run on stderr: "step 7/23 reads: list-tag, 64 connections, ~4m10s
 * left". The estimate is the planned time of the steps still to run, scaled by how the finished
 * steps compared with their plan (so a busy machine's slowness carries forward).
 */
import type { PlannedStep } from './steps.js';

/** Seconds as "45s", "4m10s" or "1h02m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Time left: the estimates of what is still to run, times actual/estimated of the steps finished
 * so far (bounded to 0.5..4; 1 before anything finished).
 */
export function remainingSeconds(remainingEstimate: number, finishedEstimate: number, finishedActual: number): number {
  const scale = finishedEstimate > 0 ? Math.min(4, Math.max(0.5, finishedActual / finishedEstimate)) : 1;
  return Math.max(0, remainingEstimate * scale);
}

export class ProgressTracker {
  private readonly steps: PlannedStep[];
  private readonly skipped = new Set<string>();
  /** Index in `steps` of the step running now (-1 before the first). */
  private index = -1;
  private begun = 0;
  private finishedEstimate = 0;
  private finishedActual = 0;
  private stepStartedAt: number | undefined;

  constructor(
    steps: readonly PlannedStep[],
    private readonly write: (line: string) => void,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.steps = [...steps];
  }

  /** Starts the step with this key (finishing the one before) and prints the progress line. */
  begin(key: string): void {
    this.finish();
    let at = this.steps.findIndex((s, i) => i > this.index && s.key === key);
    if (at < 0) {
      // Not planned: run it anyway, counted at the end, without an estimate.
      this.steps.push({ key, label: key, estimateSeconds: 0 });
      at = this.steps.length - 1;
    }
    // Planned steps passed over (a configuration that failed to start) will not run.
    for (let i = this.index + 1; i < at; i += 1) this.skipped.add(this.steps[i]?.key ?? '');
    this.index = at;
    this.begun += 1;
    this.stepStartedAt = this.now();
    this.write(this.line());
  }

  /** Drops planned steps that will not run (e.g. the knee's ladder past the knee). */
  skip(keys: readonly string[]): void {
    for (const key of keys) this.skipped.add(key);
  }

  /** Finishes the current step, if any. */
  finish(): void {
    const step = this.steps[this.index];
    if (step && this.stepStartedAt !== undefined) {
      this.finishedActual += (this.now() - this.stepStartedAt) / 1000;
      this.finishedEstimate += step.estimateSeconds;
    }
    this.stepStartedAt = undefined;
  }

  /** The line for the current step: position, label and time left (this step included). */
  line(): string {
    const ahead = this.steps.slice(this.index + 1).filter((s) => !this.skipped.has(s.key));
    const step = this.steps[this.index];
    const remainingEstimate = (step?.estimateSeconds ?? 0) + ahead.reduce((a, s) => a + s.estimateSeconds, 0);
    const left = remainingSeconds(remainingEstimate, this.finishedEstimate, this.finishedActual);
    return `step ${this.begun}/${this.begun + ahead.length} ${step?.label ?? ''}, ~${formatDuration(left)} left`;
  }
}
