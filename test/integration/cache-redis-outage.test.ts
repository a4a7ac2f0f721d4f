import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool, type RowDataPacket } from 'mysql2/promise';
import { runLoad, summarize, type RequestSample } from '../../scripts/load.js';
import { freePort } from '../helpers/process.js';
import { slugsOf, type ArticlePage } from '../helpers/realworld.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

/** A private redis-server on the given loopback port: the shared one on 6379 is never killed. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('redis-server did not start'));
    }, 5000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => {
      reject(new Error('redis-server exited'));
    });
  });
  return child;
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => {
      resolve();
    });
    child.kill('SIGKILL');
  });
}

describe('Redis SIGKILLed mid-load', { timeout: 110_000 }, () => {
  let t: TestService;
  let port: number;
  let redis: ChildProcess;
  before(async () => {
    port = await freePort();
    redis = await startRedis(port);
    t = await startTestService({ REDIS_URL: `redis://127.0.0.1:${port}` });
  });
  after(async () => {
    await t.stop();
    await killed(redis);
  });

  it('when Redis dies and comes back empty, then no request fails, requests are answered while it is down, hits resume and the list is exact', async () => {
    const phases: Record<'before' | 'outage' | 'after', RequestSample[]> = { before: [], outage: [], after: [] };
    let phase: keyof typeof phases = 'before';
    let posted = 0;
    // performance.now() marks, the clock RequestSample.startedAt uses: once Redis is dead, and
    // just before it is started again.
    let killedAt = 0;
    let restartingAt = 0;
    const faults = (async () => {
      // Kill once a fair amount of load has run, restart 1.5 s later on the same port.
      while (posted < 15) await sleep(20);
      await killed(redis);
      killedAt = performance.now();
      phase = 'outage';
      await sleep(1500);
      restartingAt = performance.now();
      redis = await startRedis(port);
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
    assert.ok(restartingAt > killedAt && killedAt > 0, 'Redis was killed, then restarted');
    // Requests do not wait for Redis to come back (the breaker sends them to MySQL, no command is
    // queued for a reconnect): some were sent after the kill and answered before the restart.
    // Latency per phase is the bench's business; a request that hangs fails runLoad's own deadline.
    const servedWhileDown = phases.outage.filter((s) => s.startedAt >= killedAt && s.startedAt + s.ms <= restartingAt);
    assert.ok(
      servedWhileDown.length > 0,
      `none of ${phases.outage.length} outage requests was sent and answered while Redis was down`,
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
  });
});
