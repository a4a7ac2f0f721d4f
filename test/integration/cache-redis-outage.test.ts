import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool, type RowDataPacket } from 'mysql2/promise';
import { runLoad, summarize, type RequestSample } from '../../scripts/load.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';
import { slugsOf, type ArticlePage } from '../helpers/realworld.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

/** A fault of the service's Redis, from `begin` until `end`, about `lastsMs` apart. */
interface RedisFault {
  lastsMs: number;
  begin(): Promise<void> | void;
  end(): Promise<void> | void;
}

/** performance.now() marks (the clock RequestSample.startedAt uses): the fault began, and its end began. */
interface FaultWindow {
  began: number;
  ending: number;
  samples: RequestSample[];
}

/**
 * The write-up's load (sign-ups, posts, list reads) across a fault of Redis, with what must hold
 * whatever the fault: no request fails, no read misses an acknowledged post, requests are sent and
 * answered while Redis is faulty, hits resume afterwards, and the list is exact. Returns the
 * fault's window and the posts and reads sent during it.
 */
async function loadAcrossFault(t: TestService, fault: RedisFault): Promise<FaultWindow> {
  const phases: Record<'before' | 'outage' | 'after', RequestSample[]> = { before: [], outage: [], after: [] };
  let phase: keyof typeof phases = 'before';
  let posted = 0;
  let began = 0;
  let ending = 0;
  const faults = (async () => {
    // Once a fair amount of load has run.
    while (posted < 15) await sleep(20);
    await fault.begin();
    began = performance.now();
    phase = 'outage';
    await sleep(fault.lastsMs);
    ending = performance.now();
    await fault.end();
    phase = 'after';
  })();
  const result = await runLoad({
    baseUrl: t.baseUrl,
    users: 60,
    concurrency: 5,
    maxDurationMs: 60_000,
    onRequest: (sample) => {
      if (sample.kind === 'post' && sample.ok) posted += 1;
      // Register is CPU-bound password hashing, unrelated to Redis; phases judge posts and reads.
      if (sample.kind !== 'register') phases[phase].push(sample);
    },
  });
  await faults;
  const report = Object.fromEntries(
    Object.entries(phases).map(([name, samples]) => [
      name,
      { requests: samples.length, failed: samples.filter((s) => !s.ok).length, ...summarize(samples.map((s) => s.ms)) },
    ]),
  );
  console.log(
    JSON.stringify({
      load: { requests: result.requests, errors: result.errors, staleReads: result.staleReads },
      phases: report,
    }),
  );
  assert.equal(result.errors, 0);
  assert.equal(result.staleReads, 0, result.staleExamples.join('\n'));
  for (const [name, samples] of Object.entries(phases)) {
    assert.ok(samples.length > 0, `phase ${name} saw no requests`);
    assert.equal(samples.filter((s) => !s.ok).length, 0, `failures in phase ${name}`);
  }
  assert.ok(ending > began && began > 0, 'the fault began, then ended');
  // Requests do not wait for Redis to come back (the breaker sends them to MySQL, no command is
  // queued for a reconnect): some were sent after the fault began and answered before it ended.
  // Latency per phase is the bench's business; a request that hangs fails runLoad's own deadline.
  const servedWhileDown = phases.outage.filter((s) => s.startedAt >= began && s.startedAt + s.ms <= ending);
  assert.ok(
    servedWhileDown.length > 0,
    `none of ${phases.outage.length} outage requests was sent and answered while Redis was faulty`,
  );
  assert.ok((await t.metric('cache_errors_total')) > 0, 'the outage must have been noticed');

  // Hits resume once the breaker's probe has found Redis again (a deadline for something that
  // must happen, not a speed check). A warm list page is answered whole by the page cache, whose
  // hits are counted apart from the entry caches' (cache_page_lookups_total): both count here.
  const cacheHits = async () =>
    (await t.metric('redis_cache_hits_total')) + (await t.metric('cache_page_lookups_total', { result: 'hit' }));
  const hitsBefore = await cacheHits();
  await waitFor('cache hits to resume', 10_000, async () => {
    await t.api('GET', '/api/articles');
    return (await cacheHits()) > hitsBefore + 5 ? true : undefined;
  });

  // Complete and exact afterwards: every acknowledged article, the exact count, newest first.
  const all = await t.api<ArticlePage>('GET', '/api/articles?limit=100');
  assert.equal(all.status, 200);
  assert.equal(all.body.articlesCount, posted);
  assert.equal(all.body.articles.length, posted);
  const mysql = createPool({ uri: t.databaseUrl, connectionLimit: 1 });
  try {
    const [rows] = await mysql.query<RowDataPacket[]>('SELECT slug FROM articles ORDER BY id DESC');
    assert.deepEqual(
      slugsOf(all.body),
      rows.map((r) => String(r.slug)),
    );
  } finally {
    await mysql.end();
  }
  const tagged = await t.api<ArticlePage>('GET', '/api/articles?tag=load&limit=100');
  assert.equal(tagged.body.articlesCount, posted);
  return { began, ending, samples: phases.outage };
}

describe('Redis SIGKILLed mid-load', { timeout: 110_000 }, () => {
  let t: TestService;
  let redis: PrivateRedis;
  before(async () => {
    redis = await startPrivateRedis();
    t = await startTestService({ REDIS_URL: redis.url });
  });
  after(async () => {
    await t.stop();
    await redis.kill();
  });

  it('when Redis dies and comes back empty, then no request fails, requests are answered while it is down, hits resume and the list is exact', async () => {
    // Killed, and started again empty on the same port 1.5 s later.
    await loadAcrossFault(t, {
      lastsMs: 1500,
      begin: () => redis.kill(),
      end: async () => {
        redis = await startPrivateRedis(redis.port);
      },
    });
  });
});

describe('Redis stops answering mid-load (SIGSTOP), then resumes with its backlog', { timeout: 110_000 }, () => {
  let t: TestService;
  let redis: PrivateRedis;
  before(async () => {
    redis = await startPrivateRedis();
    // Rate limits on (budgets far above the load), so the limiter's own Redis connection meets the
    // stopped Redis too.
    t = await startTestService({
      REDIS_URL: redis.url,
      RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
      RATE_LIMIT_WRITES_PER_MINUTE: '1000000',
    });
  });
  after(async () => {
    await t.stop();
    // SIGKILL ends a stopped process too.
    await redis.kill();
  });

  it('when Redis holds its connections open but answers nothing, then requests do not wait for it, none fails, and what it runs late leaves no stale read', async () => {
    // The kernel still accepts connections and bytes for a stopped process: commands are not
    // refused, they go unanswered, and all run once it continues (writes' scripts that timed out
    // in the client among them).
    const { began, ending, samples } = await loadAcrossFault(t, {
      lastsMs: 4000,
      begin: () => redis.pause(),
      end: () => redis.resume(),
    });
    // A deadline, not a speed check: a request sent well into the stop (the breaker has had a
    // second to open) and well before its end (1.5 s to be answered from MySQL) that was still
    // running when Redis continued was waiting for Redis.
    const sentMidStop = samples.filter((s) => s.startedAt >= began + 1000 && s.startedAt <= ending - 1500);
    assert.ok(sentMidStop.length > 0, 'requests were sent in the middle of the stop');
    const waited = sentMidStop.filter((s) => s.startedAt + s.ms > ending);
    assert.deepEqual(
      waited.map((s) => `${s.kind} ${Math.round(s.ms)} ms`),
      [],
      'requests sent during the stop waited for Redis to continue',
    );
  });
});
