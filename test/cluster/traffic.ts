/**
 * Traffic for the disruption tests: scripts/load.ts's 5:1 mix (register, post an article, five
 * list reads per virtual user), in back-to-back rounds until stopped, plus a tracer that writes
 * comments on its own article and remembers every one the service acknowledged. The load's own
 * posts are checked by count (articles tagged "load"), the tracer's by id, through the API and in
 * MySQL itself, so a write the cache still shows but the database lost would be caught.
 */
import { performance } from 'node:perf_hooks';
import { runLoad, type RequestSample } from '../../scripts/load.js';
import { http, type HttpAnswer, waitFor } from './lab.js';

export interface Sample extends RequestSample {
  /** wall-clock start (ms since the epoch) */
  at: number;
}

export interface TrafficReport {
  samples: Sample[];
  rounds: number;
  staleReads: number;
  staleExamples: string[];
  postsAttempted: number;
  postsAcknowledged: number;
  registrationsAcknowledged: number;
  tracer: { answers: HttpAnswer[]; acknowledged: number[] };
  durationMs: number;
}

export interface TrafficOptions {
  /** virtual users of load.ts running at once */
  concurrency?: number;
  /** pause between two tracer writes */
  tracerPauseMs?: number;
  requestTimeoutMs?: number;
}

interface CommentBody {
  comment?: { id?: number };
}
interface ArticlesBody {
  articlesCount?: number;
}

export class Traffic {
  private stopping = false;
  private readonly samples: Sample[] = [];
  private readonly answers: HttpAnswer[] = [];
  private readonly acknowledged: number[] = [];
  private staleReads = 0;
  private readonly staleExamples: string[] = [];
  private rounds = 0;
  private running: Promise<unknown> | undefined;
  private startedAt = 0;
  private token = '';
  slug = '';

  constructor(
    readonly baseUrl: string,
    private readonly options: TrafficOptions = {},
  ) {}

  /** The tracer's user and article (retried until the service takes them, up to 60 s). */
  async setup(): Promise<void> {
    const name = `tracer${Date.now().toString(36)}`;
    this.token = await waitFor('the tracer user', 60_000, async () => {
      const r = await http(`${this.baseUrl}/api/users`, {
        method: 'POST',
        body: { user: { username: name, email: `${name}@tracer.test`, password: 'tracer-password-1' } },
      });
      return (r.body as { user?: { token?: string } }).user?.token;
    });
    this.slug = await waitFor('the tracer article', 60_000, async () => {
      const r = await http(`${this.baseUrl}/api/articles`, {
        method: 'POST',
        token: this.token,
        body: {
          article: {
            title: `Tracer ${name}`,
            description: 'writes under disruption',
            body: 'comments below',
            tagList: ['tracer'],
          },
        },
      });
      return (r.body as { article?: { slug?: string } }).article?.slug;
    });
  }

  /** How many articles carry the load's tag now (the count the load's posts are checked by). */
  async loadArticles(): Promise<number> {
    const r = await http(`${this.baseUrl}/api/articles?tag=load&limit=1`);
    const count = (r.body as ArticlesBody).articlesCount;
    if (r.status !== 200 || typeof count !== 'number') throw new Error(`GET /api/articles?tag=load answered ${r.status}`);
    return count;
  }

  start(): void {
    this.startedAt = Date.now();
    const load = (async () => {
      while (!this.stopping) {
        const result = await runLoad({
          baseUrl: this.baseUrl,
          users: 1000,
          concurrency: this.options.concurrency ?? 4,
          readsPerUser: 5,
          // a round ends when stop() is called: no new user starts after its deadline
          maxDurationMs: 5_000,
          requestTimeoutMs: this.options.requestTimeoutMs ?? 10_000,
          // On the wall clock the tests mark events with (Date.now()), taken as the request ends:
          // performance.timeOrigin + startedAt drifts from Date.now() over a long process (seen:
          // 35 s in one CI run on this VM, which put every load request before the fault).
          onRequest: (s) => this.samples.push({ ...s, at: Date.now() - (performance.now() - s.startedAt) }),
        });
        this.rounds += 1;
        this.staleReads += result.staleReads;
        this.staleExamples.push(...result.staleExamples.slice(0, 3));
      }
    })();
    const tracer = (async () => {
      let n = 0;
      while (!this.stopping) {
        n += 1;
        const answer = await http(`${this.baseUrl}/api/articles/${this.slug}/comments`, {
          method: 'POST',
          token: this.token,
          body: { comment: { body: `tracer write ${n}` } },
          timeoutMs: this.options.requestTimeoutMs ?? 10_000,
        });
        this.answers.push(answer);
        const id = (answer.body as CommentBody | undefined)?.comment?.id;
        if (answer.status >= 200 && answer.status < 300 && typeof id === 'number') this.acknowledged.push(id);
        await new Promise((resolve) => setTimeout(resolve, this.options.tracerPauseMs ?? 100));
      }
    })();
    this.running = Promise.all([load, tracer]);
  }

  /** Stops after the rounds in flight finish (each is bounded) and reports every request. */
  async stop(): Promise<TrafficReport> {
    this.stopping = true;
    await this.running;
    const posts = this.samples.filter((s) => s.kind === 'post');
    return {
      samples: this.samples,
      rounds: this.rounds,
      staleReads: this.staleReads,
      staleExamples: this.staleExamples,
      postsAttempted: posts.length,
      postsAcknowledged: posts.filter((s) => s.ok).length,
      registrationsAcknowledged: this.samples.filter((s) => s.kind === 'register' && s.ok).length,
      tracer: { answers: this.answers, acknowledged: this.acknowledged },
      durationMs: Date.now() - this.startedAt,
    };
  }

  /** The ids of the tracer's comments the API returns now. */
  async commentIds(): Promise<Set<number>> {
    const r = await http(`${this.baseUrl}/api/articles/${this.slug}/comments`, { token: this.token });
    const list = (r.body as { comments?: { id: number }[] }).comments;
    if (r.status !== 200 || !list) throw new Error(`GET comments answered ${r.status}`);
    return new Set(list.map((c) => c.id));
  }
}

/** Requests by outcome: "200", "503", ... and "0" for refused, reset or timed-out connections. */
export function byStatus(samples: readonly { status: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) out[String(s.status)] = (out[String(s.status)] ?? 0) + 1;
  return out;
}

/**
 * The failed requests: kind, status, latency and start relative to `since` (ms since the epoch),
 * slowest first.
 */
export function failures(report: TrafficReport, since: number): string {
  const load = report.samples
    .filter((s) => !s.ok)
    .map((s) => ({ kind: s.kind, status: s.status, ms: Math.round(s.ms), at: s.at }));
  const tracer = report.tracer.answers
    .filter((a) => a.status < 200 || a.status >= 300)
    .map((a) => ({ kind: 'comment', status: a.status, ms: a.ms, at: a.at }));
  const all = [...load, ...tracer]
    .sort((a, b) => b.ms - a.ms)
    .map((f) => `${f.kind} ${f.status} ${f.ms} ms at ${f.at >= since ? '+' : ''}${((f.at - since) / 1000).toFixed(1)} s`);
  if (all.length === 0) return 'none';
  return all.length > 12 ? `${all.slice(0, 12).join('; ')}; ... ${all.length - 12} more` : all.join('; ');
}

export function summary(report: TrafficReport): string {
  const failed = report.samples.filter((s) => !s.ok).length;
  const tracerFailed = report.tracer.answers.filter((a) => a.status < 200 || a.status >= 300).length;
  return (
    `${report.samples.length} load requests (${report.rounds} rounds, ${report.postsAcknowledged}/${report.postsAttempted} posts acknowledged, ` +
    `${failed} failed, statuses ${JSON.stringify(byStatus(report.samples))}, ${report.staleReads} stale reads) and ` +
    `${report.tracer.answers.length} tracer writes (${report.tracer.acknowledged.length} acknowledged, ${tracerFailed} failed) in ${(report.durationMs / 1000).toFixed(1)} s`
  );
}
