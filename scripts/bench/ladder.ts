/**
 * The 5:1 GET:POST mix under wrk, at rising connection counts. Every sixth request creates an
 * article as one of the seeded signed-in users (a real POST /api/articles, through the whole write
 * path); the others read the anonymous list page. The mix's own points (16/64/256) always run;
 * the knee's extra points stop after the first one with p99 over 400 ms or any error.
 */
import type { ReadDataset } from './seed.js';
import { measureStep, type StepResult } from './step.js';
import { findKnee, pastKnee, type Knee } from './summary.js';
import type { ThroughputContext } from './throughput.js';
import { runWrk, type WrkOptions } from './wrk.js';

export interface LadderResult {
  postEvery: number;
  /** Connection counts the mix's targets judge. */
  mixConnections: number[];
  points: StepResult[];
  /** Whether the knee's extra points ran (scenario "knee"). */
  kneeSearched: boolean;
  knee: Knee;
}

export const READ_PATH = '/api/articles?limit=20';

export async function runLadder(
  ctx: ThroughputContext,
  dataset: ReadDataset,
  options: {
    ladder: readonly number[];
    mixConnections: readonly number[];
    kneeSearched: boolean;
    postEvery: number;
    runId: string;
  },
): Promise<LadderResult> {
  const mixWrk = (connections: number, seconds: number, tag: string): WrkOptions => ({
    url: ctx.service.baseUrl + READ_PATH,
    connections,
    threads: ctx.wrk.threads,
    durationSeconds: seconds,
    timeoutSeconds: ctx.wrk.timeoutSeconds,
    clockTicks: ctx.wrk.clockTicks,
    mix: {
      readPath: READ_PATH,
      postEvery: options.postEvery,
      tokens: dataset.posterTokens,
      runId: `${options.runId}${tag}`,
      body: dataset.bodyText,
      tags: dataset.topics,
    },
  });

  ctx.progress.begin('ladder:warm');
  const first = options.ladder[0] ?? 16;
  if (ctx.wrk.warmSeconds > 0) await runWrk(mixWrk(first, ctx.wrk.warmSeconds, 'w'));

  const points: StepResult[] = [];
  let pastTheKnee = false;
  for (const connections of options.ladder) {
    const isMixPoint = options.mixConnections.includes(connections);
    if (pastTheKnee && !isMixPoint) {
      ctx.progress.skip([`ladder:${connections}`]);
      continue;
    }
    ctx.progress.begin(`ladder:${connections}`);
    try {
      const step = await measureStep(ctx.serviceTarget, mixWrk(connections, ctx.wrk.durationSeconds, `c${connections}`), {
        scenario: isMixPoint ? 'mix' : 'knee',
        repeat: 1,
        benchStartedAt: ctx.benchStartedAt,
      });
      points.push(step);
      const reason = pastKnee(step);
      if (reason && options.kneeSearched && !pastTheKnee) {
        pastTheKnee = true;
        ctx.say(`knee at ${connections} connections: ${reason}`);
      }
    } catch (err) {
      ctx.failures.push(`mix at ${connections} connections: ${String(err)}`);
    }
  }
  return {
    postEvery: options.postEvery,
    mixConnections: [...options.mixConnections],
    points,
    kneeSearched: options.kneeSearched,
    knee: findKnee(points),
  };
}
