/**
 * The steps a plan will run, in order, with a rough duration estimate each (pure;
 * test/unit/bench-steps.test.ts). The runners use the same sequences, so the progress line
 * ("step 7/23, ~4m10s left") counts what actually runs.
 */
import { profilesTheCeiling, type BenchPlan } from './plan.js';

export interface PlannedStep {
  key: string;
  label: string;
  estimateSeconds: number;
}

/** The read scenarios, in the order they run. */
export const READ_SCENARIOS = ['list-anonymous', 'list-tag', 'list-signed-in', 'article'] as const;
export type ReadScenarioName = (typeof READ_SCENARIOS)[number];

export type ReadStep = { target: 'ceiling'; repeat: number } | { target: 'service'; scenario: ReadScenarioName; repeat: number };

/**
 * Ceiling and scenarios alternate, the ceiling before and after each scenario (one ceiling run is
 * shared between neighbours): C S1 C S2 C S3 C S4 C, then again per repetition. Each scenario is
 * compared with the mean of the ceiling runs right before and right after it, so a machine that
 * gets busier or quieter during the run shifts both sides alike.
 */
export function readSequence(scenarios: readonly ReadScenarioName[], repeats: number): ReadStep[] {
  const steps: ReadStep[] = [];
  for (let repeat = 1; repeat <= repeats; repeat += 1) {
    for (const scenario of scenarios) {
      steps.push({ target: 'ceiling', repeat }, { target: 'service', scenario, repeat });
    }
  }
  if (steps.length > 0) steps.push({ target: 'ceiling', repeat: repeats });
  return steps;
}

/** The mix's connection counts, and the knee's on top when it runs (ascending). */
export function ladderFor(plan: Pick<BenchPlan, 'scenarios' | 'mixConnections' | 'kneeConnections'>): number[] {
  const points = new Set<number>();
  if (plan.scenarios.includes('mix')) for (const c of plan.mixConnections) points.add(c);
  if (plan.scenarios.includes('knee')) for (const c of plan.kneeConnections) points.add(c);
  return [...points].sort((a, b) => a - b);
}

export function plannedSteps(plan: BenchPlan): PlannedStep[] {
  const steps: PlannedStep[] = [];
  const wrkStep = plan.durationSeconds + 1.5;
  if (plan.cpuProfile) {
    steps.push({ key: 'setup', label: 'start the profiled service and seed it', estimateSeconds: 15 + plan.articles * 0.1 });
    steps.push({
      key: 'profile',
      label: `${plan.cpuProfileLoad === 'mix' ? '5:1 mix' : `warm ${plan.cpuProfileLoad} list`} under --cpu-prof`,
      estimateSeconds: plan.warmSeconds + wrkStep + 3,
    });
    if (profilesTheCeiling(plan.cpuProfileLoad))
      steps.push({ key: 'ceiling', label: 'the ceiling under --cpu-prof', estimateSeconds: plan.warmSeconds + wrkStep + 2 });
    return steps;
  }
  const reads = plan.scenarios.includes('reads');
  const ladder = ladderFor(plan);
  if (reads || ladder.length > 0)
    steps.push({ key: 'setup', label: 'start blog-api and seed it', estimateSeconds: 15 + plan.articles * 0.1 });
  if (reads) {
    steps.push({
      key: 'reads:warm',
      label: 'reads: warm the cache, the JIT and the ceiling',
      estimateSeconds: (READ_SCENARIOS.length + 1) * (plan.warmSeconds + 1) + 2,
    });
    for (const [i, s] of readSequence(READ_SCENARIOS, plan.readRepeats).entries()) {
      const what = s.target === 'ceiling' ? 'ceiling' : s.scenario;
      steps.push({ key: `reads:${i}`, label: `reads: ${what}, ${plan.connections} connections`, estimateSeconds: wrkStep });
    }
  }
  if (ladder.length > 0) {
    steps.push({ key: 'ladder:warm', label: 'mix: warm the write path', estimateSeconds: plan.warmSeconds + 1 });
    for (const c of ladder) {
      const kind = plan.mixConnections.includes(c) && plan.scenarios.includes('mix') ? 'mix' : 'knee';
      steps.push({ key: `ladder:${c}`, label: `${kind}: 5:1 GET:POST, ${c} connections`, estimateSeconds: wrkStep });
    }
  }
  if (plan.scenarios.includes('signup')) {
    for (let run = 1; run <= plan.repeats; run += 1) {
      for (const concurrency of plan.concurrency) {
        for (const cache of run % 2 === 1 ? [true, false] : [false, true]) {
          const users = concurrency * plan.usersPerVu;
          steps.push({
            key: signupKey(run, concurrency, cache),
            label: `signup: run ${run}/${plan.repeats}, ${concurrency} VUs, ${users} users, cache ${cache ? 'on' : 'off'}`,
            estimateSeconds: 3 + (users + plan.warmupUsers) * 0.04 + (concurrency * plan.readOnlyReads) / 1000,
          });
        }
      }
    }
  }
  if (plan.scenarios.includes('stall')) {
    for (const i of [0, 1])
      steps.push({ key: `stall:${i}`, label: `stall: configuration ${i + 1} of 2`, estimateSeconds: 10 + plan.stallMs / 1000 });
  }
  if (plan.scenarios.includes('pages')) {
    for (const cache of plan.pageCacheModes)
      steps.push({
        key: `pages:${cache ? 'on' : 'off'}`,
        label: `pages: cache ${cache ? 'on' : 'off'}`,
        estimateSeconds: 8 + plan.pageArticles * 0.06 + plan.pageSizes.length * 2 * (plan.pageRepeats + 1) * 0.02,
      });
  }
  return steps;
}

/** The key of one signup configuration's step (scripts/bench.ts runs them in plannedSteps' order). */
export function signupKey(run: number, concurrency: number, cache: boolean): string {
  return `signup:${run}:${concurrency}:${cache ? 'on' : 'off'}`;
}
